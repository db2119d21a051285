package io.trellis.cli;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.ipam.hostlocal.HostLocalStateReader;
import io.trellis.ipam.hostlocal.HostRange;
import io.trellis.ipam.hostlocal.RangeAddress;
import io.trellis.ipam.hostlocal.StoredAllocation;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code trellisctl ipam list}: the addresses the host-local backend has handed out on this node,
 * read straight from its state dir. Safe while the agent runs: it reads without the directory's
 * lock and changes nothing ({@link HostLocalStateReader}); opening the driver would need the lock
 * the agent holds, and would repair the directory.
 */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the pod addresses the host-local IPAM backend has allocated on this node (read-only,"
                + " safe while the agent runs). Exit 1 if a state file cannot be read.")
final class IpamListCommand implements Callable<Integer> {

    /** Where the agent keeps the host-local backend's state with the default paths.stateDir. */
    static final String DEFAULT_STATE_DIR = "/var/lib/trellis/backends/host-local";

    @Spec
    private CommandSpec spec;

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = DEFAULT_STATE_DIR,
            description = "The host-local state dir: <paths.stateDir>/backends/host-local (default: ${DEFAULT-VALUE}).")
    private Path stateDir;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        HostLocalStateReader.Snapshot snapshot = new HostLocalStateReader().read(stateDir);

        if (snapshot.allocations().isEmpty()) {
            out.println("no allocations in " + stateDir);
        } else {
            printTable(out, snapshot.allocations());
        }
        printRanges(out, snapshot);
        out.flush();

        for (Path kept : snapshot.keptAside()) {
            err.println("note: " + kept + " was set aside as corrupt by the agent; the addresses it names stay out of"
                    + " use until an admin deletes it");
        }
        for (HostLocalStateReader.UnreadableFile bad : snapshot.unreadable()) {
            err.println("error: " + bad.file() + ": " + bad.problem());
        }
        err.flush();
        return snapshot.unreadable().isEmpty() ? 0 : 1;
    }

    private static void printTable(PrintWriter out, List<StoredAllocation> allocations) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ADDRESSES", "POD", "INTERFACE", "CONTAINER"});
        for (StoredAllocation a : allocations) {
            String addresses = a.addresses().stream()
                    .map(r -> IpLiterals.format(r.address()) + "/" + r.range().cidr().prefixLength())
                    .collect(Collectors.joining(","));
            rows.add(new String[] {addresses, a.attachment().pod().toString(), a.attachment().ifName(),
                    a.attachment().containerId()});
        }
        int[] width = new int[3];
        for (String[] row : rows) {
            for (int i = 0; i < width.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            // The container id goes last, unpadded: it is long and scripts may want all of it.
            out.println(pad(row[0], width[0]) + "  " + pad(row[1], width[1]) + "  " + pad(row[2], width[2]) + "  " + row[3]);
        }
    }

    /** Per pod CIDR: how full it is and where the round-robin search stands. */
    private static void printRanges(PrintWriter out, HostLocalStateReader.Snapshot snapshot) {
        Map<Cidr, Long> used = new TreeMap<>(Comparator.comparing(Cidr::toString));
        snapshot.lastReserved().keySet().forEach(c -> used.put(c, 0L));
        for (StoredAllocation a : snapshot.allocations()) {
            for (RangeAddress r : a.addresses()) {
                used.merge(r.range().cidr(), 1L, Long::sum);
            }
        }
        for (Map.Entry<Cidr, Long> e : used.entrySet()) {
            Cidr cidr = e.getKey();
            Optional<InetAddress> last = Optional.ofNullable(snapshot.lastReserved().get(cidr));
            out.println(cidr + ": " + e.getValue() + " of " + usable(cidr) + " addresses allocated"
                    + last.map(a -> ", last handed out " + IpLiterals.format(a)).orElse(""));
        }
    }

    private static String usable(Cidr cidr) {
        try {
            return new HostRange(cidr).usableCount().toString();
        } catch (IllegalArgumentException tooSmall) {
            return "0";
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
