package io.trellis.ipam.hostlocal;

import io.trellis.spi.ipam.IpamException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a state directory ({@code fcntl} lock on its {@code lock} file), held while a driver is
 * open, so a second agent process on the same directory fails at start instead of handing out the same addresses.
 * The kernel drops the lock when the process dies, so a crash never leaves the directory locked. The holder writes
 * its pid into the file for the other process's error message. The file is never deleted: unlinking a lock file
 * lets two processes each lock a different inode.
 */
final class StateDirLock implements AutoCloseable {
    static final String FILE_NAME = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static StateDirLock acquire(Path stateDir) {
        Path file = stateDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new IpamException("IPAM state dir " + stateDir + " is already open in this process; open it once and share the driver");
            }
            if (lock == null) {
                String holder = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII).trim();
                throw new IpamException("IPAM state dir " + stateDir + " is locked by another process"
                        + (holder.isEmpty() ? "" : " (pid " + holder + " per " + file + ")")
                        + "; only one agent may use a state dir");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(true);
            return new StateDirLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IpamException("cannot lock IPAM state dir " + stateDir + " (" + file + "): " + e, e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases it anyway.
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing to do: the kernel releases the lock with the descriptor.
            }
        }
    }
}
