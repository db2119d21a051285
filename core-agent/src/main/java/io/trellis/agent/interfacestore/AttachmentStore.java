package io.trellis.agent.interfacestore;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's record of every attachment it has been asked to ADD and not yet DEL'd or GC'd, kept
 * in memory and, crash-safe, on disk: one file per attachment in {@code <stateDir>/attachments}.
 * A write goes to a temporary file that is fsynced and renamed over the target, then the directory
 * is fsynced; a reader sees the old record or the new one. Leftover temporary files from a crash
 * are deleted on {@link #open}.
 *
 * <p>The agent writes a record before it asks IPAM for addresses and removes it only after the
 * drivers released everything, so the drivers never hold an attachment the store does not know:
 * that is what lets GC compute the live set from the runtime's (container id, interface) list.
 *
 * <p>A file that cannot be read makes {@link #open} fail, naming the file and the problem: guessing
 * would risk GC releasing the address of a running pod. Thread-safe; callers serialise operations
 * on one attachment.
 */
public final class AttachmentStore {
    private static final Logger LOG = LoggerFactory.getLogger(AttachmentStore.class);
    private static final String SUFFIX = ".json";
    private static final String TEMP_SUFFIX = ".tmp";

    private final Path dir;
    private final Map<AttachmentKey, AttachmentRecord> records = new ConcurrentHashMap<>();

    private AttachmentStore(Path dir) {
        this.dir = dir;
    }

    /** Opens (creating it if needed) the store in {@code dir} and loads every record. */
    public static AttachmentStore open(Path dir) {
        requireNonNull(dir, "dir");
        AttachmentStore store = new AttachmentStore(dir);
        try {
            Files.createDirectories(dir);
            List<String> problems = new ArrayList<>();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (name.startsWith(".") && name.endsWith(TEMP_SUFFIX)) {
                        Files.delete(file);   // a write interrupted before its rename: never part of the state
                    } else if (name.endsWith(SUFFIX)) {
                        store.load(file, problems);
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("attachment store " + dir + ": " + String.join("; ", problems)
                        + " (fix or remove the file; the agent does not guess which pod an attachment belongs to)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("attachment store " + dir + ": " + e.getMessage(), e);
        }
        LOG.info("attachment store {}: {} attachment(s)", dir, store.records.size());
        return store;
    }

    private void load(Path file, List<String> problems) throws IOException {
        AttachmentRecord record;
        try {
            record = AttachmentCodec.decode(Files.readString(file, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            problems.add(file.getFileName() + ": " + e.getMessage());
            return;
        }
        String expected = fileName(record.key());
        if (!expected.equals(file.getFileName().toString())) {
            problems.add(file.getFileName() + ": holds attachment " + record.key() + ", which belongs in " + expected);
            return;
        }
        records.put(record.key(), record);
    }

    public Path directory() {
        return dir;
    }

    public Optional<AttachmentRecord> get(AttachmentKey key) {
        return Optional.ofNullable(records.get(requireNonNull(key, "key")));
    }

    /** Every record, in no particular order. */
    public List<AttachmentRecord> all() {
        return List.copyOf(records.values());
    }

    /** Writes the record durably, replacing the one of the same key. */
    public void put(AttachmentRecord record) {
        requireNonNull(record, "record");
        Path target = dir.resolve(fileName(record.key()));
        try {
            Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", TEMP_SUFFIX);
            try {
                try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer bytes = ByteBuffer.wrap(AttachmentCodec.encode(record).getBytes(StandardCharsets.UTF_8));
                    while (bytes.hasRemaining()) {
                        ch.write(bytes);
                    }
                    ch.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(temp);
                throw e;
            }
            syncDirectory();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write attachment record " + target + ": " + e.getMessage(), e);
        }
        records.put(record.key(), record);
    }

    /** Removes the record durably; removing an unknown key does nothing. */
    public void remove(AttachmentKey key) {
        requireNonNull(key, "key");
        Path target = dir.resolve(fileName(key));
        try {
            if (Files.deleteIfExists(target)) {
                syncDirectory();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove attachment record " + target + ": " + e.getMessage(), e);
        }
        records.remove(key);
    }

    private void syncDirectory() throws IOException {
        // Linux lets a directory be opened read-only and fsynced: that makes a rename or unlink durable.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /**
     * {@code <containerId>+<ifName>.json}. Container ids are letters, digits, '_', '.' and '-'
     * (the executable checks it); the interface name, and anything unexpected in the id, is
     * percent-encoded byte by byte, so that no key can name a path outside the directory.
     */
    static String fileName(AttachmentKey key) {
        return encode(key.containerId()) + "+" + encode(key.ifName()) + SUFFIX;
    }

    private static String encode(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '_' || c == '-' || (c == '.' && out.length() > 0);
            if (plain) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "AttachmentStore[" + dir + ", " + records.size() + " attachment(s)]";
    }
}
