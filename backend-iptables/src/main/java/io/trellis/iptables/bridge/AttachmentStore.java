package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's attachment records, one file per attachment named after its host interface
 * ({@code <stateDir>/attachments/tb0123456789ab.attachment}), so calls for different attachments
 * never touch the same file. A record is written before its veth exists and deleted after it is
 * gone, so a crash in between leaves a record that garbage collection finds, never an unknown veth.
 * Writes are atomic (temporary file, fsync, rename).
 */
final class AttachmentStore {

    static final String DIRECTORY = "attachments";
    static final String SUFFIX = ".attachment";

    private static final Logger LOG = LoggerFactory.getLogger(AttachmentStore.class);

    private final Path dir;

    AttachmentStore(Path stateDir) {
        this.dir = requireNonNull(stateDir, "stateDir").resolve(DIRECTORY);
    }

    Path directory() {
        return dir;
    }

    /** Writes (or replaces) the record of {@code record.hostInterface()}. */
    void write(AttachmentRecord record) {
        requireNonNull(record, "record");
        Path file = fileOf(record.hostInterface());
        Path tmp = dir.resolve("." + record.hostInterface() + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                out.write(ByteBuffer.wrap(record.encode().getBytes(StandardCharsets.UTF_8)));
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The record of {@code hostInterface}; empty when there is none. A damaged file fails naming it. */
    Optional<AttachmentRecord> read(String hostInterface) {
        Path file = fileOf(hostInterface);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        AttachmentRecord record = AttachmentRecord.decode(text, file.toString());
        if (!record.hostInterface().equals(hostInterface)) {
            throw new IllegalArgumentException(file + ": field 'hostInterface': '" + record.hostInterface()
                    + "' does not match the file name");
        }
        return Optional.of(record);
    }

    /** Removes the record of {@code hostInterface}; nothing when there is none. */
    void delete(String hostInterface) {
        Path file = fileOf(hostInterface);
        try {
            if (Files.deleteIfExists(file)) {
                syncDirectory();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every readable record. A file that cannot be read is logged and skipped, never deleted: it may
     * be the only trace of an attachment an operator needs to look at.
     */
    List<AttachmentRecord> list() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<AttachmentRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
                String name = file.getFileName().toString();
                String host = name.substring(0, name.length() - SUFFIX.length());
                try {
                    read(host).ifPresent(out::add);
                } catch (RuntimeException e) {
                    LOG.warn("ignoring unreadable attachment record {}: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return List.copyOf(out);
    }

    private Path fileOf(String hostInterface) {
        requireNonNull(hostInterface, "hostInterface");
        if (!HostVethNaming.isHostInterface(hostInterface)) {
            throw new IllegalArgumentException("'" + hostInterface + "' is not a pod host interface name of this backend");
        }
        return dir.resolve(hostInterface + SUFFIX);
    }

    /** Makes a rename or delete durable: the directory entry change is in the directory's own blocks. */
    private void syncDirectory() throws IOException {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }
}
