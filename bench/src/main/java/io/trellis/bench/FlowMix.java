package io.trellis.bench;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A realistic mix of pipeline flows for install benchmarks, shaped like the tables of a
 * Kubernetes pipeline: SpoofGuard entries per pod, conjunctive NetworkPolicy flows (three
 * dimensions plus the {@code conj_id} action flow), conntrack/service DNAT flows, and L3 tunnel
 * flows per remote pod CIDR. Every flow has a distinct match, so N flow-mods leave N flows.
 */
public final class FlowMix {

    static final int TABLE_SPOOF_GUARD = 10;
    static final int TABLE_SERVICE = 30;
    static final int TABLE_POLICY = 50;
    static final int TABLE_L3 = 70;
    static final long TUNNEL_PORT = 2;
    static final int CT_ZONE = 65520;
    static final String GLOBAL_VIRTUAL_MAC = "aa:bb:cc:dd:ee:ff";

    private FlowMix() {
    }

    /** {@code count} distinct flows; out of every 10: 1 SpoofGuard, 4 policy, 3 service/ct, 2 tunnel. */
    public static List<FlowMod> generate(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("--flows must be positive, got " + count);
        }
        List<FlowMod> flows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            flows.add(switch (i % 10) {
                case 0 -> spoofGuard(i);
                case 1, 2, 3, 4 -> policy(i);
                case 5, 6, 7 -> service(i);
                default -> tunnel(i);
            });
        }
        return flows;
    }

    private static FlowMod spoofGuard(int i) {
        Match match = Match.builder().inPort(10 + (i % 60000)).ethSrc(mac(i)).ethType(0x0800)
                .ipv4Src(ip(10, i) + "/32").build();
        return flow(TABLE_SPOOF_GUARD, 200, 0x10, match, List.of(new Instruction.GotoTable(TABLE_SERVICE)));
    }

    /**
     * Conjunction dimensions cycle through source address, destination pod (by the register
     * holding its ofport) and destination port; every fourth policy flow is a rule's conj_id flow,
     * which commits the connection with the rule id in ct_label.
     */
    private static FlowMod policy(int i) {
        long rule = 1 + i / 10;
        int dimension = i % 10; // 1..4
        Match match;
        List<Action> actions;
        switch (dimension) {
            case 1 -> {
                match = Match.builder().ethType(0x0800).ipv4Src(ip(20, i) + "/32").build();
                actions = List.of(new Action.Conjunction(rule, 1, 3));
            }
            case 2 -> {
                match = Match.builder().reg(1, 0x10000L + i).build();
                actions = List.of(new Action.Conjunction(rule, 2, 3));
            }
            case 3 -> {
                match = Match.builder().ethType(0x0800).ipProto(6).tcpDst(1 + (i % 65535)).reg(2, i).build();
                actions = List.of(new Action.Conjunction(rule, 3, 3));
            }
            default -> {
                match = Match.builder().conjId(rule).ethType(0x0800).build();
                actions = List.of(Action.Ct.commit(CT_ZONE).withExec(List.of(
                        Action.SetField.ctLabel(BigInteger.valueOf(rule), BigInteger.valueOf(0xffffffffL)))));
            }
        }
        List<Instruction> instructions = dimension == 4
                ? List.of(new Instruction.ApplyActions(actions), new Instruction.GotoTable(TABLE_L3))
                : List.of(new Instruction.ApplyActions(actions));
        return flow(TABLE_POLICY, 190, 0x50, match, instructions);
    }

    /** A new TCP connection to a Service VIP:port, DNATed to one endpoint in the main ct zone. */
    private static FlowMod service(int i) {
        Match match = Match.builder().ctState("+new+trk").ethType(0x0800).ipProto(6)
                .ipv4Dst(ip(96, i) + "/32").tcpDst(80 + (i % 1000)).build();
        Action dnat = new Action.Ct(true, false, null, CT_ZONE, TABLE_POLICY, 0,
                Action.Nat.dst(addr(ip(30, i)), 8080), List.of());
        Action endpointMark = Action.SetField.reg(3, i);
        return flow(TABLE_SERVICE, 200, 0x30, match, List.of(new Instruction.ApplyActions(List.of(endpointMark, dnat))));
    }

    /** One flow per remote pod CIDR: virtual MAC, tunnel destination, TTL decrement, out the Geneve port. */
    private static FlowMod tunnel(int i) {
        // A distinct /24 per flow: index i -> (11 + i/65536).(i/256%256).(i%256).0/24
        String cidr = (11 + (i >>> 16)) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff) + ".0/24";
        Match match = Match.builder().ethType(0x0800).ipv4Dst(cidr).build();
        List<Action> actions = List.of(
                Action.SetField.ethDst(GLOBAL_VIRTUAL_MAC),
                Action.SetField.tunDst(ip(192, i)),
                new Action.DecTtl(),
                Action.Output.to(TUNNEL_PORT));
        return flow(TABLE_L3, 200, 0x70, match, List.of(new Instruction.ApplyActions(actions)));
    }

    private static FlowMod flow(int table, int priority, long cookie, Match match, List<Instruction> instructions) {
        return FlowMod.builder(FlowModCommand.ADD).tableId(table).priority(priority).cookie(cookie).match(match)
                .instructions(instructions).build();
    }

    /** A distinct IPv4 address per index under first octet {@code first}. */
    static String ip(int first, int i) {
        return first + "." + ((i >>> 16) & 0xff) + "." + ((i >>> 8) & 0xff) + "." + (i & 0xff);
    }

    private static String mac(int i) {
        return String.format("02:00:%02x:%02x:%02x:%02x", (i >>> 24) & 0xff, (i >>> 16) & 0xff, (i >>> 8) & 0xff,
                i & 0xff);
    }

    private static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }
}
