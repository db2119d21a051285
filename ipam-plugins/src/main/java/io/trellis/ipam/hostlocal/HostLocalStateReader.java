package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.spi.ipam.IpamException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads a host-local state dir for tools ({@code trellisctl ipam list}) while the agent may be
 * running: no lock, no writes. {@link HostLocalIpamDriver#open} is not usable for that: it takes
 * the directory's exclusive lock (failing while the agent holds it) and repairs the directory
 * (deletes crash leftovers, moves corrupt files aside), which only the owner may do.
 *
 * <p>Every state change is one rename or unlink (see the module README), so each file read here is
 * whole, old or new. A file released between listing and reading is skipped; one that fails
 * validation is reported, not moved.
 */
public final class HostLocalStateReader {

    /** Numeric address order (10.0.0.2 before 10.0.0.10), IPv4 before IPv6. */
    private static final Comparator<StoredAllocation> BY_FIRST_ADDRESS = Comparator
            .<StoredAllocation>comparingInt(a -> a.addresses().get(0).address().getAddress().length)
            .thenComparing((a, b) -> Arrays.compareUnsigned(a.addresses().get(0).address().getAddress(),
                    b.addresses().get(0).address().getAddress()));

    private final StateCodec codec = new StateCodec();

    /** A file that could not be decoded: its path and what is wrong with it. */
    public record UnreadableFile(Path file, String problem) {
        public UnreadableFile {
            requireNonNull(file, "file");
            requireNonNull(problem, "problem");
        }
    }

    /**
     * What a state dir holds.
     *
     * @param allocations  the valid allocation files, ordered by address
     * @param lastReserved the round-robin cursor of each pod CIDR; empty before the first allocation
     * @param unreadable   allocation or cursor files that fail validation (the driver moves them
     *                     aside at its next start)
     * @param keptAside    files the driver already moved to {@code corrupt/}; their addresses stay
     *                     out of use until an admin deletes them
     */
    public record Snapshot(List<StoredAllocation> allocations, Map<Cidr, InetAddress> lastReserved,
            List<UnreadableFile> unreadable, List<Path> keptAside) {
        public Snapshot {
            allocations = List.copyOf(requireNonNull(allocations, "allocations"));
            lastReserved = Map.copyOf(requireNonNull(lastReserved, "lastReserved"));
            unreadable = List.copyOf(requireNonNull(unreadable, "unreadable"));
            keptAside = List.copyOf(requireNonNull(keptAside, "keptAside"));
        }
    }

    /**
     * Reads {@code stateDir}.
     *
     * @throws IpamException when the directory does not exist or cannot be listed
     */
    public Snapshot read(Path stateDir) {
        requireNonNull(stateDir, "stateDir");
        if (!Files.isDirectory(stateDir)) {
            throw new IpamException("host-local state dir " + stateDir + " does not exist (or is not a directory)");
        }
        List<StoredAllocation> allocations = new ArrayList<>();
        List<UnreadableFile> unreadable = new ArrayList<>();
        Path allocationsDir = stateDir.resolve(StateStore.ALLOCATIONS_DIR);
        for (Path file : list(allocationsDir)) {
            if (DurableFiles.isTemporary(file)) {
                continue; // a write in progress, or one a crash interrupted: never state
            }
            try {
                StoredAllocation allocation = codec.decodeAllocation(Files.readAllBytes(file));
                String expected = allocation.addressList() + ".json";
                if (!file.getFileName().toString().equals(expected)) {
                    unreadable.add(new UnreadableFile(file, "its addresses " + allocation.addressList()
                            + " do not match its name (expected " + expected + ")"));
                } else {
                    allocations.add(allocation);
                }
            } catch (NoSuchFileException released) {
                // released after the listing
            } catch (StateFormatException e) {
                unreadable.add(new UnreadableFile(file, e.getMessage()));
            } catch (IOException e) {
                unreadable.add(new UnreadableFile(file, "cannot read: " + e));
            }
        }
        Map<Cidr, InetAddress> lastReserved = Map.of();
        Path cursors = stateDir.resolve(StateStore.CURSORS_FILE);
        try {
            lastReserved = codec.decodeCursors(Files.readAllBytes(cursors));
        } catch (NoSuchFileException none) {
            // nothing allocated yet
        } catch (StateFormatException e) {
            unreadable.add(new UnreadableFile(cursors, e.getMessage()));
        } catch (IOException e) {
            unreadable.add(new UnreadableFile(cursors, "cannot read: " + e));
        }
        allocations.sort(BY_FIRST_ADDRESS);
        return new Snapshot(allocations, lastReserved, unreadable, list(stateDir.resolve(StateStore.CORRUPT_DIR)));
    }

    /** The directory's entries, sorted; none when it does not exist. */
    private static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new IpamException("cannot list " + dir + ": " + e, e);
        }
    }
}
