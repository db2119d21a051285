package io.trellis.iptables.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.netlink.route.IpPrefix;
import io.trellis.netlink.route.MacAddress;
import java.net.Inet4Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The diff behind replaceAll, upsertNode and removeNode. */
class EntryPlanTest {
    private static final int VX = 7;
    private static final int ETH0 = 2;

    private static Inet4Address ip(String text) {
        return (Inet4Address) IpPrefix.parseAddress(text);
    }

    /** The three VXLAN entries of a node with node IP {@code nodeIp} and pod CIDR 10.20.{n}.0/24. */
    private static List<KernelEntry> vxlanNode(int n, String nodeIp) {
        MacAddress mac = MacAddress.parse(String.format("02:74:0a:fb:00:%02x", n));
        return List.of(new KernelEntry.Fdb(mac, ip(nodeIp)), new KernelEntry.Arp(ip("10.20." + n + ".0"), mac),
                new KernelEntry.PodRoute(IpPrefix.parse("10.20." + n + ".0/24"), ip("10.20." + n + ".0"), VX, true));
    }

    @Test
    void sameStateMeansNothingToDo() {
        List<KernelEntry> entries = vxlanNode(2, "10.251.0.2");
        assertThat(EntryPlan.between(entries, List.copyOf(entries)).isEmpty()).isTrue();
    }

    @Test
    void aNewNodeIsWrittenFdbFirstRouteLast() {
        List<KernelEntry> n2 = vxlanNode(2, "10.251.0.2");
        // Desired listed route first: the plan still writes the FDB and ARP entries before the route.
        EntryPlan plan = EntryPlan.between(List.of(), List.of(n2.get(2), n2.get(1), n2.get(0)));
        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.writes()).containsExactly(n2.get(0), n2.get(1), n2.get(2));
    }

    @Test
    void aStaleNodeIsDeletedRouteFirstFdbLastAndOthersAreLeftAlone() {
        List<KernelEntry> n2 = vxlanNode(2, "10.251.0.2");
        List<KernelEntry> n3 = vxlanNode(3, "10.251.0.3");
        List<KernelEntry> observed = new java.util.ArrayList<>(n3);
        observed.addAll(n2);
        EntryPlan plan = EntryPlan.between(observed, n2);
        assertThat(plan.deletions()).containsExactly(n3.get(2), n3.get(1), n3.get(0));
        assertThat(plan.writes()).isEmpty();
    }

    @Test
    void partialStateIsCompleted() {
        List<KernelEntry> n2 = vxlanNode(2, "10.251.0.2");
        // A failure left only the FDB entry behind.
        EntryPlan plan = EntryPlan.between(List.of(n2.get(0)), n2);
        assertThat(plan.deletions()).isEmpty();
        assertThat(plan.writes()).containsExactly(n2.get(1), n2.get(2));
    }

    @Test
    void aChangedRouteIsReplacedInPlaceNotDeletedFirst() {
        // Node 2 moved onto this node's subnet with hostGateway: its pod CIDR route now goes via its IP on eth0.
        List<KernelEntry> n2 = vxlanNode(2, "10.251.0.2");
        KernelEntry.PodRoute direct = new KernelEntry.PodRoute(IpPrefix.parse("10.20.2.0/24"), ip("10.251.0.2"), ETH0,
                false);
        EntryPlan plan = EntryPlan.between(n2, List.of(direct));
        assertThat(plan.deletions()).containsExactly(n2.get(1), n2.get(0));
        assertThat(plan.writes()).containsExactly(direct);
    }

    @Test
    void aNodeWithANewIpGetsANewFdbEntryAndTheOldOneGoes() {
        List<KernelEntry> before = vxlanNode(2, "10.251.0.2");
        MacAddress newMac = MacAddress.parse("02:74:0a:fb:01:02");
        List<KernelEntry> after = List.of(new KernelEntry.Fdb(newMac, ip("10.251.1.2")),
                new KernelEntry.Arp(ip("10.20.2.0"), newMac), before.get(2));
        EntryPlan plan = EntryPlan.between(before, after);
        // The ARP entry keeps its key (the VTEP IP) and is replaced; the FDB entry is another one.
        assertThat(plan.deletions()).containsExactly(before.get(0));
        assertThat(plan.writes()).containsExactly(after.get(0), after.get(1));
    }

    @Test
    void duplicatesInTheInputAreHandledOnce() {
        List<KernelEntry> n2 = vxlanNode(2, "10.251.0.2");
        EntryPlan plan = EntryPlan.between(List.of(n2.get(0), n2.get(0)), List.of());
        assertThat(plan.deletions()).containsExactly(n2.get(0));
    }
}
