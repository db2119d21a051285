package io.trellis.ovs.openflow.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Action.Ct;
import io.trellis.ovs.openflow.action.Action.Nat;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.action.LearnSpec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import java.math.BigInteger;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bytes we encode, read back by OVS: each case is built with the Java API, encoded into an
 * OpenFlow 1.5 and an OpenFlow 1.3 flow-mod and decoded by {@code ovs-ofctl ofp-print}; OVS must
 * accept it and print the expected flow, and {@link FlowText} must print the same.
 */
class OfctlPrintTest {

    /**
     * @param text    the flow as OVS prints it (OpenFlow 1.5)
     * @param text13  the flow as OVS prints the OpenFlow 1.3 encoding, where that differs
     *                (NXAST_REG_LOAD prints as {@code load:}), else null
     */
    record Case(String text, String text13, Match match, List<Instruction> instructions) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Case c(String text, Match m, Instruction... ins) {
        return new Case(text, null, m, List.of(ins));
    }

    private static Case c13(String text, String text13, Match m, Instruction... ins) {
        return new Case(text, text13, m, List.of(ins));
    }

    private static Instruction apply(Action... a) {
        return new Instruction.ApplyActions(List.of(a));
    }

    private static Match.Builder ip() {
        return Match.builder().ethType(0x0800);
    }

    private static InetAddress addr(String a) {
        try {
            return InetAddress.getByName(a);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Stream<Case> cases() {
        List<Case> l = new ArrayList<>();
        // the brief's example flow
        l.add(c("ct_state=+new+trk,ip,reg0=0x1/0xf,in_port=3,nw_dst=10.10.2.0/24 actions=ct(commit,zone=65520,"
                        + "nat(dst=10.10.1.2:80)),set_field:10.251.0.2->tun_dst,goto_table:10",
                ip().inPort(3).ipv4Dst("10.10.2.0/24").reg(0, 1, 0xf).ctState("+new+trk").build(),
                apply(Ct.commit(65520).withNat(Nat.dst(addr("10.10.1.2"), 80)), Action.SetField.tunDst("10.251.0.2")),
                new Instruction.GotoTable(10)));
        // matches
        l.add(c("tcp,nw_src=10.0.0.0/255.0.255.0,tp_src=0x400/0xfc00 actions=drop",
                ip().ipProto(6).ipv4Src("10.0.0.0/255.0.255.0").tcpSrc(0x400, 0xfc00).build()));
        l.add(c("tcp,nw_src=10.1.2.3,nw_dst=10.0.0.0/8,tp_src=1234,tp_dst=80 actions=output:3",
                ip().ipProto(6).ipv4Src(addr("10.1.2.3"), 32).ipv4Dst(addr("10.9.9.9"), 8).tcpSrc(1234).tcpDst(80)
                        .build(),
                apply(Action.Output.to(3))));
        l.add(c("udp6,ipv6_src=fd00::/64,ipv6_dst=fd00:1::5,tp_src=0x80/0xff80,tp_dst=53 actions=drop",
                Match.builder().ethType(0x86dd).ipProto(17).ipv6Src("fd00::/64").ipv6Dst("fd00:1::5")
                        .udpSrc(0x80, 0xff80).udpDst(53).build()));
        l.add(c("tcp6,ipv6_src=fd00::1,ipv6_dst=fd00::/ffff:0:ffff::,tp_dst=443 actions=drop",
                Match.builder().ethType(0x86dd).ipProto(6).ipv6Src(addr("fd00::1"), 128)
                        .ipv6Dst("fd00::/ffff:0:ffff::").tcpDst(443).build()));
        l.add(c("sctp,tp_src=1,tp_dst=0x1000/0xf000 actions=drop",
                ip().ipProto(132).sctpSrc(1).sctpDst(0x1000, 0xf000).build()));
        l.add(c("arp,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,arp_op=2,arp_sha=aa:bb:cc:dd:ee:ff,"
                        + "arp_tha=00:00:00:00:00:01 actions=NORMAL",
                Match.builder().ethType(0x0806).arpOp(2).arpSpa("10.0.0.1").arpTpa("10.0.0.0/24")
                        .arpSha("aa:bb:cc:dd:ee:ff").arpTha("00:00:00:00:00:01").build(),
                apply(Action.Output.to(Action.Output.NORMAL))));
        l.add(c("icmp,icmp_type=8,icmp_code=0 actions=IN_PORT",
                ip().ipProto(1).icmpType(8).icmpCode(0).build(), apply(Action.Output.to(Action.Output.IN_PORT))));
        l.add(c("icmp6,icmp_type=135,icmp_code=0 actions=LOCAL",
                Match.builder().ethType(0x86dd).ipProto(58).icmpv6Type(135).icmpv6Code(0).build(),
                apply(Action.Output.to(Action.Output.LOCAL))));
        l.add(c("ip,nw_tos=184 actions=FLOOD", ip().ipDscp(46).build(), apply(Action.Output.to(Action.Output.FLOOD))));
        l.add(c("ip,nw_proto=47 actions=ALL", ip().ipProto(47).build(), apply(Action.Output.to(Action.Output.ALL))));
        l.add(c("dl_src=aa:bb:cc:dd:ee:ff,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,dl_type=0x1234 actions=drop",
                Match.builder().ethSrc("aa:bb:cc:dd:ee:ff").ethDst("01:00:00:00:00:00", "01:00:00:00:00:00")
                        .ethType(0x1234).build()));
        l.add(c("tun_id=0x64/0xffff,tun_src=10.0.0.1,tun_dst=10.0.0.0/16,metadata=0x1/0xff actions=drop",
                Match.builder().tunnelId(100, 0xffff).tunIpv4Src("10.0.0.1").tunIpv4Dst("10.0.1.2/16")
                        .metadata(1, 0xff).build()));
        l.add(c("tun_id=0x5,metadata=0xabcdef actions=drop",
                Match.builder().tunnelId(5).metadata(0xabcdef).build()));
        l.add(c("reg3=0,reg4=0,reg5=0,reg6=0x5,reg7=0x1/0x3,reg15=0xffffffff actions=drop",
                Match.builder().xxreg(1, BigInteger.valueOf(5).shiftLeft(32).or(BigInteger.ONE),
                                new BigInteger("ffffffffffffffffffffffff00000003", 16))
                        .reg(3, 0).reg(15, 0xffffffffL).build()));
        l.add(c("ct_state=-new+est-rel+trk,ct_zone=7,ct_mark=0x3/0xf,ct_label=0x1/0x1,ip actions=drop",
                ip().ctState("+trk+est-new-rel").ctZone(7).ctMark(3, 0xf).ctLabel(BigInteger.ONE, BigInteger.ONE)
                        .build()));
        l.add(c("ct_mark=0x10,ct_label=0x1000000000000000000000000000000f actions=drop",
                Match.builder().ctMark(16).ctLabel(BigInteger.ONE.shiftLeft(124).add(BigInteger.valueOf(15))).build()));
        l.add(c("pkt_mark=0x5/0x7,conj_id=9,ip actions=drop", ip().conjId(9).pktMark(5, 7).build()));
        l.add(c("in_port=LOCAL actions=CONTROLLER:65535",
                Match.builder().inPort(Action.Output.LOCAL).build(), apply(Action.Output.to(Action.Output.CONTROLLER))));
        // actions
        l.add(c("ip actions=group:5,dec_ttl,output:1,CONTROLLER:128", ip().build(),
                apply(new Action.Group(5), new Action.DecTtl(), new Action.Output(1, 0),
                        new Action.Output(Action.Output.CONTROLLER, 128))));
        l.add(c13("ip actions=set_field:0x1->reg0,set_field:0x10000/0x10000->reg2,set_field:0x5->tun_id,"
                        + "set_field:aa:bb:cc:dd:ee:ff->eth_dst,set_field:00:00:00:00:00:01->eth_src",
                "ip actions=set_field:0x1->reg0,load:0x1->NXM_NX_REG2[16],set_field:0x5->tun_id,"
                        + "set_field:aa:bb:cc:dd:ee:ff->eth_dst,set_field:00:00:00:00:00:01->eth_src",
                ip().build(),
                apply(Action.SetField.reg(0, 1), Action.SetField.reg(2, 0x10000, 0x10000), Action.SetField.tunnelId(5),
                        Action.SetField.ethDst("aa:bb:cc:dd:ee:ff"), Action.SetField.ethSrc("00:00:00:00:00:01"))));
        // non-contiguous mask: NXAST_REG_LOAD2 in OpenFlow 1.3, which OVS prints as set_field too
        l.add(c13("ip actions=set_field:0x5/0x5->reg2,set_field:0x1/0x3->xxreg1",
                "ip actions=set_field:0x5/0x5->reg2,load:0x1->NXM_NX_XXREG1[0..1]", ip().build(),
                apply(Action.SetField.reg(2, 5, 5),
                        Action.SetField.of(Match.builder().xxreg(1, BigInteger.ONE, BigInteger.valueOf(3))))));
        l.add(c("ip actions=move:NXM_NX_REG0[0..15]->NXM_NX_REG1[16..31],move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[]",
                ip().build(),
                apply(new Action.Move(Subfield.range(OxmFields.REG0, 0, 15), Subfield.range(OxmFields.REG1, 16, 31)),
                        new Action.Move(Subfield.whole(OxmFields.NXM_OF_ETH_SRC),
                                Subfield.whole(OxmFields.NXM_OF_ETH_DST)))));
        l.add(c("ip actions=resubmit(,10),resubmit:3,resubmit(4,12)", ip().build(),
                apply(Action.Resubmit.toTable(10), new Action.Resubmit(3, null), new Action.Resubmit(4, 12))));
        l.add(c("tcp actions=ct(table=10,zone=NXM_NX_REG13[0..15],nat)", ip().ipProto(6).build(),
                apply(new Ct(false, false, Subfield.range(OxmFields.REG13, 0, 15), 0, 10, 0, Nat.existing(),
                        List.of()))));
        l.add(c13("tcp actions=ct(commit,force,zone=5,exec(set_field:0x1->ct_mark,set_field:0x2/0x3->ct_label),alg=ftp)",
                "tcp actions=ct(commit,force,zone=5,exec(set_field:0x1->ct_mark,load:0x2->NXM_NX_CT_LABEL[0..1]),alg=ftp)",
                ip().ipProto(6).build(),
                apply(new Ct(true, true, null, 5, Ct.NO_RECIRC, 21, null,
                        List.of(Action.SetField.ctMark(1),
                                Action.SetField.ctLabel(BigInteger.TWO, BigInteger.valueOf(3)))))));
        l.add(c("ip actions=ct(commit,nat(src=10.0.0.1-10.0.0.9:1000-2000,persistent,random)),ct_clear",
                ip().build(),
                apply(Ct.commit(0).withNat(new Nat(Nat.NatType.SRC, addr("10.0.0.1").getAddress(),
                        addr("10.0.0.9").getAddress(), 1000, 2000, true, false, true)), new Action.CtClear())));
        l.add(c("ipv6 actions=ct(commit,nat(src=fd00::1-fd00::5,hash)),ct(commit,zone=3,nat(dst=[fd00::2]:8443))",
                Match.builder().ethType(0x86dd).build(),
                apply(Ct.commit(0).withNat(new Nat(Nat.NatType.SRC, addr("fd00::1").getAddress(),
                                addr("fd00::5").getAddress(), 0, 0, false, true, false)),
                        Ct.commit(3).withNat(Nat.dst(addr("fd00::2"), 8443)))));
        l.add(c("udp actions=ct(table=2,zone=1),ct(commit,zone=2,alg=tftp)", ip().ipProto(17).build(),
                apply(Ct.lookup(1, 2), new Ct(true, false, null, 2, Ct.NO_RECIRC, 69, null, List.of()))));
        l.add(c("ip actions=conjunction(7,2/3),conjunction(4294967295,1/2)", ip().build(),
                apply(new Action.Conjunction(7, 2, 3), new Action.Conjunction(0xffffffffL, 1, 2))));
        l.add(c("tcp actions=learn(table=20,hard_timeout=30,priority=100,delete_learned,cookie=0x5,eth_type=0x800,"
                        + "nw_proto=6,NXM_OF_TCP_DST[],NXM_OF_IP_DST[],NXM_OF_IP_SRC[],load:NXM_NX_REG3[]->NXM_NX_REG3[],"
                        + "load:0x1->NXM_NX_REG0[19],output:NXM_OF_IN_PORT[])",
                ip().ipProto(6).build(), apply(clientIpAffinityLearn())));
        l.add(c("tcp actions=learn(table=1,idle_timeout=10,fin_idle_timeout=2,fin_hard_timeout=4,send_flow_rem,"
                        + "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],NXM_NX_REG1[0..7]=0x5,eth_type=0x800,ip_dst=10.0.0.1)",
                ip().ipProto(6).build(),
                apply(new Action.Learn(1, 10, 0, Action.Learn.DEFAULT_PRIORITY, 0, Action.Learn.SEND_FLOW_REM, 2, 4,
                        List.of(new LearnSpec.MatchFromField(Subfield.whole(OxmFields.NXM_OF_ETH_SRC),
                                        Subfield.whole(OxmFields.NXM_OF_ETH_DST)),
                                new LearnSpec.MatchImmediate(new byte[] {5}, Subfield.range(OxmFields.REG1, 0, 7)),
                                new LearnSpec.MatchImmediate(new byte[] {8, 0}, Subfield.whole(OxmFields.ETH_TYPE)),
                                new LearnSpec.MatchImmediate(new byte[] {10, 0, 0, 1},
                                        Subfield.whole(OxmFields.NXM_OF_IP_DST)))))));
        l.add(c("ip actions=controller(userdata=01.02.03,pause),controller(reason=no_match,max_len=128,id=3),"
                        + "controller(max_len=64,id=2,userdata=ff)",
                ip().build(),
                apply(Action.Controller.withUserdata(new byte[] {1, 2, 3}, true),
                        new Action.Controller(128, 3, 0, null, false),
                        new Action.Controller(64, 2, 1, new byte[] {(byte) 0xff}, false))));
        l.add(c("ip actions=note:01.02.03.00.00.00,note:01.02.03.04.05.06.07.08.09.0a.0b.0c.0d.0e", ip().build(),
                apply(new Action.Note(new byte[] {1, 2, 3}),
                        new Action.Note(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}))));
        // instructions
        l.add(c("metadata=0x1/0xff actions=clear_actions,write_actions(output:3,group:1),write_metadata:0x2/0xff,"
                        + "goto_table:3",
                Match.builder().metadata(1, 0xff).build(),
                new Instruction.ClearActions(),
                new Instruction.WriteActions(List.of(Action.Output.to(3), new Action.Group(1))),
                new Instruction.WriteMetadata(2, 0xff), new Instruction.GotoTable(3)));
        l.add(c("actions=write_metadata:0x2,goto_table:254", Match.ANY,
                new Instruction.WriteMetadata(2, -1L), new Instruction.GotoTable(254)));
        return l.stream();
    }

    /** The ClientIP session-affinity flow of the brief. */
    static Action.Learn clientIpAffinityLearn() {
        return new Action.Learn(20, 0, 30, 100, 5, Action.Learn.DELETE_LEARNED, 0, 0, List.of(
                new LearnSpec.MatchImmediate(new byte[] {8, 0}, Subfield.whole(OxmFields.NXM_OF_ETH_TYPE)),
                new LearnSpec.MatchImmediate(new byte[] {6}, Subfield.whole(OxmFields.NXM_OF_IP_PROTO)),
                LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.NXM_OF_TCP_DST)),
                LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.NXM_OF_IP_DST)),
                LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.NXM_OF_IP_SRC)),
                new LearnSpec.LoadFromField(Subfield.whole(OxmFields.REG3), Subfield.whole(OxmFields.REG3)),
                new LearnSpec.LoadImmediate(new byte[] {1}, Subfield.bit(OxmFields.REG0, 19)),
                new LearnSpec.OutputFromField(Subfield.whole(OxmFields.NXM_OF_IN_PORT))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void flowTextMatchesTheExpectedOvsForm(Case c) {
        assertThat(OvsFlowMods.ourFlow(c.match(), c.instructions())).isEqualTo(c.text());
    }

    @ParameterizedTest(name = "OF1.5 {0}")
    @MethodSource("cases")
    void ovsDecodesOurOpenFlow15Bytes(Case c) {
        String line = OvsFlowMods.ofpPrint(OvsFlowMods.flowMod(OfVersion.OF15, c.match(), c.instructions()));
        assertThat(line).startsWith("OFPT_FLOW_MOD (OF1.5)");
        assertThat(OvsFlowMods.flowOf(line)).isEqualTo(c.text());
    }

    @ParameterizedTest(name = "OF1.3 {0}")
    @MethodSource("cases")
    void ovsDecodesOurOpenFlow13Bytes(Case c) {
        String line = OvsFlowMods.ofpPrint(OvsFlowMods.flowMod(OfVersion.OF13, c.match(), c.instructions()));
        assertThat(line).startsWith("OFPT_FLOW_MOD (OF1.3)");
        assertThat(OvsFlowMods.flowOf(line)).isEqualTo(c.text13() != null ? c.text13() : c.text());
    }
}
