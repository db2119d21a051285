package io.trellis.ipam.hostlocal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file changes on a POSIX file system. A write goes to a temporary file in the same directory, is
 * fsynced, renamed over the target (rename is atomic) and the directory is fsynced so the rename itself survives
 * a power cut. A reader therefore sees the old content or the new one, never a mix; the only debris a crash can
 * leave is a temporary file, recognisable by its name ({@code .NAME.RANDOM.tmp}) and safe to delete.
 */
final class DurableFiles {
    private static final String TEMP_SUFFIX = ".tmp";

    private DurableFiles() {
    }

    static void write(Path target, byte[] content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", TEMP_SUFFIX);
        try {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        fsyncDirectory(dir);
    }

    /** Deletes the file if present and makes the removal durable. */
    static void delete(Path target) throws IOException {
        if (Files.deleteIfExists(target)) {
            fsyncDirectory(target.toAbsolutePath().getParent());
        }
    }

    /** Moves a file into {@code dir} under a name not yet used there; returns its new path. Durable in both directories. */
    static Path moveAside(Path source, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = source.getFileName().toString();
        Path target = dir.resolve(name);
        for (int n = 1; Files.exists(target); n++) {
            target = dir.resolve(name + "." + n);
        }
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(dir);
        fsyncDirectory(source.toAbsolutePath().getParent());
        return target;
    }

    /** Creates the directory (and parents) if missing, durably. */
    static void ensureDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDirectory(dir.toAbsolutePath().getParent());
        }
    }

    static boolean isTemporary(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    static void fsyncDirectory(Path dir) throws IOException {
        // Linux lets a directory be opened read-only and fsynced; that is what makes a rename or unlink durable.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
