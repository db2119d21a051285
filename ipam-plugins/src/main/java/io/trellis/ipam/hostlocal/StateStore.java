package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.ipam.IpamException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The files of a host-local state dir (layout in the module README): one file per allocation under
 * {@code allocations/}, named by its addresses; the round-robin cursors in {@code last-reserved.json}; files that
 * failed validation kept under {@code corrupt/}. Not thread-safe: the driver serialises calls.
 */
final class StateStore {
    static final String ALLOCATIONS_DIR = "allocations";
    static final String CORRUPT_DIR = "corrupt";
    static final String CURSORS_FILE = "last-reserved.json";
    private static final String SUFFIX = ".json";
    private static final Logger LOG = LoggerFactory.getLogger(StateStore.class);

    private final Path stateDir;
    private final Path allocationsDir;
    private final Path corruptDir;
    private final StateCodec codec;

    StateStore(Path stateDir, StateCodec codec) {
        this.stateDir = requireNonNull(stateDir, "stateDir");
        this.allocationsDir = stateDir.resolve(ALLOCATIONS_DIR);
        this.corruptDir = stateDir.resolve(CORRUPT_DIR);
        this.codec = requireNonNull(codec, "codec");
    }

    Path stateDir() {
        return stateDir;
    }

    Path fileOf(StoredAllocation allocation) {
        return allocationsDir.resolve(allocation.addressList() + SUFFIX);
    }

    void save(StoredAllocation allocation) {
        Path file = fileOf(allocation);
        try {
            DurableFiles.write(file, codec.encodeAllocation(allocation));
        } catch (IOException e) {
            throw new IpamException("cannot write IPAM state file " + file + ": " + e, e);
        }
    }

    void remove(StoredAllocation allocation) {
        Path file = fileOf(allocation);
        try {
            DurableFiles.delete(file);
        } catch (IOException e) {
            throw new IpamException("cannot delete IPAM state file " + file + ": " + e, e);
        }
    }

    void saveCursors(Map<Cidr, InetAddress> lastReserved) {
        Path file = stateDir.resolve(CURSORS_FILE);
        try {
            DurableFiles.write(file, codec.encodeCursors(lastReserved));
        } catch (IOException e) {
            throw new IpamException("cannot write IPAM state file " + file + ": " + e, e);
        }
    }

    /**
     * Reads and validates the whole state dir. Temporary files a crash left behind are deleted (a rename never
     * happened, so they never were state). A file that fails validation is moved to {@code corrupt/} and the load
     * fails naming it; the next load succeeds and keeps the addresses named by such files out of use.
     *
     * @throws IpamException naming every bad file, what is wrong with it and where it was moved
     */
    LoadedState load() {
        try {
            DurableFiles.ensureDirectory(allocationsDir);
            deleteTemporaryFiles(stateDir);
            deleteTemporaryFiles(allocationsDir);
        } catch (IOException e) {
            throw new IpamException("cannot prepare IPAM state dir " + stateDir + ": " + e, e);
        }
        List<String> problems = new ArrayList<>();
        Map<Path, String> corrupt = new LinkedHashMap<>();
        List<StoredAllocation> allocations = new ArrayList<>();
        Map<AttachmentKey, Path> fileByKey = new HashMap<>();
        Map<InetAddress, Path> fileByAddress = new HashMap<>();
        for (Path file : list(allocationsDir)) {
            Optional<StoredAllocation> decoded = decodeAllocation(file, corrupt);
            if (decoded.isEmpty()) {
                continue;
            }
            StoredAllocation allocation = decoded.get();
            Path other = fileByKey.putIfAbsent(allocation.key(), file);
            if (other != null) {
                problems.add(file + " and " + other + " both hold attachment " + allocation.key()
                        + "; remove the one whose addresses the pod does not use");
                continue;
            }
            for (RangeAddress a : allocation.addresses()) {
                Path owner = fileByAddress.putIfAbsent(a.address(), file);
                if (owner != null) {
                    problems.add(file + " and " + owner + " both hold " + IpLiterals.format(a.address())
                            + "; remove the stale one");
                }
            }
            allocations.add(allocation);
        }
        Map<Cidr, InetAddress> lastReserved = Map.of();
        Path cursorsFile = stateDir.resolve(CURSORS_FILE);
        if (Files.exists(cursorsFile)) {
            try {
                lastReserved = codec.decodeCursors(Files.readAllBytes(cursorsFile));
            } catch (StateFormatException e) {
                corrupt.put(cursorsFile, e.getMessage());
            } catch (IOException e) {
                throw new IpamException("cannot read IPAM state file " + cursorsFile + ": " + e, e);
            }
        }
        for (Map.Entry<Path, String> bad : corrupt.entrySet()) {
            try {
                Path kept = DurableFiles.moveAside(bad.getKey(), corruptDir);
                problems.add(bad.getKey() + " is corrupt (" + bad.getValue() + "); kept as " + kept);
                LOG.error("IPAM state file {} is corrupt ({}); moved to {}", bad.getKey(), bad.getValue(), kept);
            } catch (IOException e) {
                problems.add(bad.getKey() + " is corrupt (" + bad.getValue() + ") and could not be moved to " + corruptDir + ": " + e);
            }
        }
        Set<InetAddress> reserved = reservedByCorruptFiles();
        if (!problems.isEmpty()) {
            throw new IpamException("IPAM state in " + stateDir + " is inconsistent: " + String.join("; ", problems)
                    + (corrupt.isEmpty() ? "" : ". Nothing was deleted. Addresses named by a file in " + corruptDir
                            + " stay out of use until that file is deleted; the next start continues with the remaining state"));
        }
        if (!reserved.isEmpty()) {
            LOG.warn("IPAM addresses {} stay out of use: they are named by corrupt state files in {}; delete those files once"
                    + " no pod uses the addresses", reserved.stream().map(IpLiterals::format).sorted().toList(), corruptDir);
        }
        return new LoadedState(allocations, lastReserved, reserved);
    }

    private Optional<StoredAllocation> decodeAllocation(Path file, Map<Path, String> corrupt) {
        if (!Files.isRegularFile(file)) {
            corrupt.put(file, "not a regular file");
            return Optional.empty();
        }
        try {
            StoredAllocation allocation = codec.decodeAllocation(Files.readAllBytes(file));
            String expected = allocation.addressList() + SUFFIX;
            if (!file.getFileName().toString().equals(expected)) {
                corrupt.put(file, "its addresses " + allocation.addressList() + " do not match its name (expected " + expected + ")");
                return Optional.empty();
            }
            return Optional.of(allocation);
        } catch (StateFormatException e) {
            corrupt.put(file, e.getMessage());
            return Optional.empty();
        } catch (IOException e) {
            throw new IpamException("cannot read IPAM state file " + file + ": " + e, e);
        }
    }

    /** Addresses a kept-aside file is named after ({@code 10.244.1.5.json}, {@code 10.244.1.5,fd00::5.json.2}). */
    private Set<InetAddress> reservedByCorruptFiles() {
        Set<InetAddress> reserved = new HashSet<>();
        if (!Files.isDirectory(corruptDir)) {
            return reserved;
        }
        for (Path file : list(corruptDir)) {
            String name = file.getFileName().toString().replaceFirst("\\.json(\\.\\d+)?$", "");
            List<InetAddress> addresses = new ArrayList<>();
            try {
                for (String part : name.split(",", -1)) {
                    addresses.add(IpLiterals.parse(part));
                }
                reserved.addAll(addresses);
            } catch (IllegalArgumentException notNamedByAddress) {
                // e.g. last-reserved.json: holds no address.
            }
        }
        return reserved;
    }

    private void deleteTemporaryFiles(Path dir) throws IOException {
        for (Path file : list(dir)) {
            if (DurableFiles.isTemporary(file)) {
                LOG.info("deleting {}: a write interrupted by a crash, never renamed into place", file);
                DurableFiles.delete(file);
            }
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        } catch (IOException e) {
            throw new IpamException("cannot list IPAM state dir " + dir + ": " + e, e);
        }
    }
}
