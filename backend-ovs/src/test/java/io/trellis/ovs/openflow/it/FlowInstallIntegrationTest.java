package io.trellis.ovs.openflow.it;

import static io.trellis.ovs.openflow.it.ItSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.openflow.action.Action;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.action.LearnSpec;
import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.match.CtState;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchField;
import io.trellis.ovs.openflow.match.OxmFields;
import io.trellis.ovs.openflow.match.Subfield;
import io.trellis.ovs.openflow.message.Bucket;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.FlowStats;
import io.trellis.ovs.openflow.message.FlowStatsRequest;
import io.trellis.ovs.openflow.message.GroupDesc;
import io.trellis.ovs.openflow.message.GroupMod;
import io.trellis.ovs.openflow.message.GroupType;
import io.trellis.ovs.openflow.text.FlowText;
import io.trellis.ovs.testing.OvsSandbox;
import io.trellis.ovs.transport.NettyTransport;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Flows and groups installed through the Java client land in OVS exactly as the same flows
 * installed by {@code ovs-ofctl} on a reference bridge: both dumps are parsed and compared; the
 * client's own flow/group dump decodes back to what was sent (modulo the register packing and
 * header choice OVS applies, see {@link OvsCanonicalForm}); and {@link FlowText} renders each
 * flow the way {@code ovs-ofctl dump-flows} prints it.
 */
class FlowInstallIntegrationTest {

    /** A flow in ovs-ofctl syntax and the same flow built with the Java API. */
    record FlowCase(String ofctl, FlowMod flowMod) {
    }

    /** A group in ovs-ofctl syntax and the same group built with the Java API. */
    record GroupCase(String ofctl, GroupMod groupMod) {
    }

    private static final String JAVA = "br0";
    private static final String REFERENCE = "bref";

    private OvsSandbox sandbox;
    private NettyTransport transport;
    private OpenFlowClient client;

    @BeforeEach
    void start() {
        sandbox = OvsSandbox.start();
        sandbox.addBridge(JAVA);
        sandbox.addBridge(REFERENCE);
        transport = new NettyTransport(1, "it-flows");
        client = ItSupport.connect(transport, sandbox, JAVA);
    }

    @AfterEach
    void stop() {
        try {
            if (client != null) {
                client.close();
            }
            if (transport != null) {
                transport.close();
            }
        } finally {
            sandbox.close();
        }
    }

    @Test
    void flowsAndGroupsFromJavaEqualThoseFromOvsOfctl() {
        // Groups first: flows may only reference existing groups.
        for (GroupCase g : groups()) {
            await(client.groupMod(g.groupMod()));
            sandbox.ofctl(REFERENCE, "add-group", g.ofctl());
        }
        List<FlowCase> cases = flows();
        await(client.flowMods(cases.stream().map(FlowCase::flowMod).toList()));
        sandbox.ofctl(REFERENCE, "add-flows", ItSupport.writeLines(sandbox, "ref.flows",
                cases.stream().map(FlowCase::ofctl).toList()).toString());

        List<OfctlFlow> fromJava = ItSupport.ofctlFlows(sandbox, JAVA);
        List<OfctlFlow> fromOfctl = ItSupport.ofctlFlows(sandbox, REFERENCE);
        assertThat(fromJava).hasSize(cases.size() + 1); // + OVS's default NORMAL flow
        assertThat(fromJava).containsExactlyElementsOf(fromOfctl);

        List<OfctlGroup> groupsFromJava = ItSupport.ofctlGroups(sandbox, JAVA);
        assertThat(groupsFromJava).hasSize(groups().size());
        assertThat(groupsFromJava).containsExactlyElementsOf(ItSupport.ofctlGroups(sandbox, REFERENCE));
    }

    @Test
    void clientDumpDecodesWhatWasSentAndFlowTextReadsLikeOvsOfctl() {
        for (GroupCase g : groups()) {
            await(client.groupMod(g.groupMod()));
        }
        List<FlowCase> cases = flows();
        await(client.flowMods(cases.stream().map(FlowCase::flowMod).toList()));

        List<FlowStats> dumped = await(client.dumpFlows(FlowStatsRequest.all()));
        List<OfctlFlow> ofctl = ItSupport.ofctlFlows(sandbox, JAVA);
        List<String> problems = new ArrayList<>();
        for (FlowCase c : cases) {
            FlowMod sent = c.flowMod();
            FlowStats got = dumped.stream()
                    .filter(s -> s.tableId() == sent.tableId() && s.priority() == sent.priority()
                            && s.cookie() == sent.cookie()
                            && OvsCanonicalForm.matchFields(s.match().fields())
                                    .equals(OvsCanonicalForm.matchFields(sent.match().fields())))
                    .findFirst().orElse(null);
            if (got == null) {
                problems.add("not in the client's dump (or match changed by OVS): " + c.ofctl());
                continue;
            }
            if (!OvsCanonicalForm.sameInstructions(got.instructions(), sent.instructions())) {
                problems.add(c.ofctl() + "\n   sent instructions " + sent.instructions()
                        + "\n   dumped            " + got.instructions());
            }
            if (got.idleTimeout() != sent.idleTimeout() || got.hardTimeout() != sent.hardTimeout()) {
                problems.add(c.ofctl() + ": timeouts " + got.idleTimeout() + "/" + got.hardTimeout());
            }
            // FlowText of what was sent must read like ovs-ofctl's dump of the same flow.
            OfctlFlow line = ofctl.stream()
                    .filter(f -> f.table() == sent.tableId() && f.priority() == sent.priority() && f.cookie() == sent.cookie()
                            && f.match().equals(OfctlFlow.parseMatch(FlowText.match(got.match()))))
                    .findFirst().orElse(null);
            if (line == null) {
                problems.add("FlowText.match " + FlowText.match(got.match()) + " matches no ovs-ofctl line of "
                        + ofctl);
                continue;
            }
            Map<String, String> sentText = OfctlFlow.parseMatch(FlowText.match(sent.match()));
            if (!sentText.equals(line.match())) {
                problems.add("FlowText.match(sent) " + sentText + " but ovs-ofctl shows " + line.match());
            }
            String actionsText = FlowText.instructions(sent.instructions());
            if (!actionsText.equals(line.actions())) {
                problems.add("FlowText.instructions(sent) " + actionsText + "\n   but ovs-ofctl shows " + line.actions());
            }
        }
        assertThat(problems).as("differences").isEmpty();

        List<io.trellis.ovs.openflow.message.GroupStats> stats = await(client.dumpGroupStats());
        String ofctlStats = sandbox.ofctl(JAVA, "dump-group-stats");
        for (GroupCase g : groups()) {
            int id = g.groupMod().groupId();
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("group_id=" + id + ",duration=[^,]*,ref_count=(\\d+)").matcher(ofctlStats);
            assertThat(m.find()).as("group " + id + " in " + ofctlStats).isTrue();
            assertThat(stats).as("stats of group " + id).anySatisfy(st -> {
                assertThat(st.groupId()).isEqualTo(id);
                assertThat(st.refCount()).isEqualTo(Long.parseLong(m.group(1))).isEqualTo(1);
                assertThat(st.bucketStats()).hasSameSizeAs(g.groupMod().buckets());
            });
        }

        List<GroupDesc> groups = await(client.dumpGroupDescs());
        for (GroupCase g : groups()) {
            GroupMod sent = g.groupMod();
            assertThat(groups).as("group " + sent.groupId()).anySatisfy(d -> {
                assertThat(d.groupId()).isEqualTo(sent.groupId());
                assertThat(d.type()).isEqualTo(sent.type());
                assertThat(d.buckets()).isEqualTo(sent.buckets());
            });
        }
    }

    @Test
    void modifyStrictDeleteAndCookieMaskActLikeOvsOfctl() {
        List<FlowCase> cases = flows().stream().filter(c -> !c.ofctl().contains("group:")).toList();
        await(client.flowMods(cases.stream().map(FlowCase::flowMod).toList()));
        sandbox.ofctl(REFERENCE, "add-flows", ItSupport.writeLines(sandbox, "ref.flows",
                cases.stream().map(FlowCase::ofctl).toList()).toString());

        // MODIFY (non-strict) every flow of table 2 to output:9.
        await(client.flowMod(FlowMod.builder(FlowModCommand.MODIFY).tableId(2)
                .instructions(List.of(Instruction.ApplyActions.of(Action.Output.to(9)))).build()));
        sandbox.ofctl(REFERENCE, "mod-flows", "table=2,actions=output:9");
        // DELETE_STRICT exactly one flow of table 5.
        FlowMod conj = cases.stream().filter(c -> c.ofctl().contains("conjunction(7,1/2)")).findFirst()
                .orElseThrow().flowMod();
        await(client.flowMod(conj.toBuilder().command(FlowModCommand.DELETE_STRICT)
                .instructions(List.of()).build()));
        sandbox.ofctlWithOptions(List.of("-O", "OpenFlow15", "--strict"), REFERENCE, "del-flows",
                "table=5,priority=500,ip,nw_src=10.1.0.0/16");
        // DELETE in all tables whatever has cookie 0x34 in its low byte.
        await(client.flowMod(FlowMod.builder(FlowModCommand.DELETE).tableId(0xff).cookie(0x34).cookieMask(0xff).build()));
        sandbox.ofctl(REFERENCE, "del-flows", "cookie=0x34/0xff");

        List<OfctlFlow> fromJava = ItSupport.ofctlFlows(sandbox, JAVA);
        assertThat(fromJava).containsExactlyElementsOf(ItSupport.ofctlFlows(sandbox, REFERENCE));
        assertThat(fromJava).filteredOn(f -> f.table() == 2).isNotEmpty()
                .allSatisfy(f -> assertThat(f.actions()).isEqualTo("output:9"));
        assertThat(fromJava).noneMatch(f -> f.actions().contains("conjunction(7,1/2)"));
        assertThat(fromJava).anyMatch(f -> f.actions().contains("conjunction(7,2/2)"));
        assertThat(fromJava).noneMatch(f -> (f.cookie() & 0xff) == 0x34);
        assertThat(fromJava).anyMatch(f -> f.cookie() == 0x1200);
    }

    @Test
    void openFlow13OnlyBridgeGetsTheSameFlowsThroughFlowModsAndBundles() {
        for (String bridge : List.of("br13", "bref13")) {
            sandbox.addBridge(bridge);
            sandbox.vsctl("set", "bridge", bridge, "protocols=OpenFlow13");
        }
        OpenFlowClient of13 = ItSupport.connect(transport, sandbox, "br13");
        try {
            assertThat(of13.version()).isEqualTo(io.trellis.ovs.openflow.OfVersion.OF13);
            List<FlowCase> cases = flows().stream().filter(c -> !c.ofctl().contains("group:")).toList();
            int half = cases.size() / 2;
            await(of13.flowMods(cases.subList(0, half).stream().map(FlowCase::flowMod).toList()));
            // The rest through an OpenFlow 1.3 bundle (ONF extension 230x).
            await(of13.bundle(cases.subList(half, cases.size()).stream().map(FlowCase::flowMod).toList()));
            sandbox.ofctlWithOptions(List.of("-O", "OpenFlow13"), "bref13", "add-flows",
                    ItSupport.writeLines(sandbox, "ref13.flows", cases.stream().map(FlowCase::ofctl).toList()).toString());

            List<OfctlFlow> fromJava = ItSupport.ofctlFlowsVersion(sandbox, "OpenFlow13", "br13");
            assertThat(fromJava).hasSize(cases.size() + 1);
            assertThat(fromJava).containsExactlyElementsOf(ItSupport.ofctlFlowsVersion(sandbox, "OpenFlow13", "bref13"));

            List<FlowStats> dumped = await(of13.dumpFlows(FlowStatsRequest.all()));
            for (FlowCase c : cases) {
                assertThat(dumped).as(c.ofctl()).anySatisfy(s -> {
                    assertThat(s.tableId()).isEqualTo(c.flowMod().tableId());
                    assertThat(s.priority()).isEqualTo(c.flowMod().priority());
                    assertThat(OvsCanonicalForm.matchFields(s.match().fields()))
                            .isEqualTo(OvsCanonicalForm.matchFields(c.flowMod().match().fields()));
                    assertThat(OvsCanonicalForm.instructions(s.instructions()))
                            .isEqualTo(OvsCanonicalForm.instructions(c.flowMod().instructions()));
                });
            }
        } finally {
            of13.close();
        }
    }

    // ------------------------------------------------------------------ the cases

    static List<GroupCase> groups() {
        return List.of(
                new GroupCase("group_id=1,type=select,bucket=bucket_id=1,weight=10,actions=ct(commit,zone=1,"
                        + "nat(dst=10.96.1.2:8080),table=1),bucket=bucket_id=2,weight=20,actions=set_field:0x2->reg1,output:6",
                        GroupMod.add(1, GroupType.SELECT, List.of(
                                Bucket.select(1, 10, List.of(new Action.Ct(true, false, null, 1, 1, 0,
                                        Action.Nat.dst(ip("10.96.1.2"), 8080), List.of()))),
                                Bucket.select(2, 20, List.of(setField(OxmFields.REG1, 2), new Action.Output(6, 0)))))),
                new GroupCase("group_id=2,type=all,bucket=bucket_id=7,actions=output:5,"
                        + "bucket=bucket_id=8,actions=set_field:10.0.0.9->ip_dst,output:6",
                        GroupMod.add(2, GroupType.ALL, List.of(
                                Bucket.of(7, List.of(Action.Output.to(5))),
                                Bucket.of(8, List.of(new Action.SetField(MatchField.exact(OxmFields.IPV4_DST,
                                        ip("10.0.0.9").getAddress())), Action.Output.to(6)))))));
    }

    static List<FlowCase> flows() {
        List<FlowCase> c = new ArrayList<>();
        c.add(new FlowCase("table=1,priority=100,cookie=0x1234,idle_timeout=30,hard_timeout=300,in_port=5,"
                + "dl_src=00:11:22:33:44:55,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00,tcp,nw_src=10.0.0.0/8,"
                + "nw_dst=192.168.1.1,ip_dscp=10,tp_src=0x1000/0xf000,tp_dst=80,actions=output:6,group:1",
                FlowMod.builder(FlowModCommand.ADD).tableId(1).priority(100).cookie(0x1234).idleTimeout(30)
                        .hardTimeout(300)
                        .match(Match.builder().inPort(5).ethSrc("00:11:22:33:44:55")
                                .ethDst("01:00:00:00:00:00", "01:00:00:00:00:00").ethType(0x0800).ipProto(6)
                                .ipv4Src("10.0.0.0/8").ipv4Dst("192.168.1.1").ipDscp(10).tcpSrc(0x1000, 0xf000)
                                .tcpDst(80).build())
                        .instructions(apply(Action.Output.to(6), new Action.Group(1))).build()));
        c.add(new FlowCase("table=2,priority=200,cookie=0x1200,arp,arp_op=1,arp_spa=10.0.0.1,arp_tpa=10.0.0.0/24,"
                + "arp_sha=00:11:22:33:44:55,arp_tha=00:00:00:00:00:00,"
                + "actions=set_field:2->arp_op,move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],goto_table:3",
                flow(2, 200, 0x1200, Match.builder().ethType(0x0806).arpOp(1).arpSpa("10.0.0.1")
                                .arpTpa("10.0.0.0/24").arpSha("00:11:22:33:44:55").arpTha("00:00:00:00:00:00").build(),
                        List.of(Instruction.ApplyActions.of(
                                        new Action.SetField(MatchField.exact(OxmFields.ARP_OP, new byte[] {0, 2})),
                                        new Action.Move(Subfield.whole(OxmFields.NXM_OF_ETH_SRC),
                                                Subfield.whole(OxmFields.NXM_OF_ETH_DST))),
                                new Instruction.GotoTable(3)))));
        c.add(new FlowCase("table=2,priority=210,udp6,ipv6_src=fe80::/10,ipv6_dst=2001:db8::1,udp_src=53,"
                + "udp_dst=0x1000/0xff00,actions=dec_ttl,resubmit(,5),output:5",
                flow(2, 210, 0, Match.builder().ethType(0x86dd).ipProto(17).ipv6Src("fe80::/10")
                                .ipv6Dst("2001:db8::1").udpSrc(53).udpDst(0x1000, 0xff00).build(),
                        apply(new Action.DecTtl(), Action.Resubmit.toTable(5), Action.Output.to(5)))));
        c.add(new FlowCase("table=2,priority=220,sctp,sctp_src=0x50/0xfff0,sctp_dst=9000,tun_id=0x55/0xff,"
                + "tun_src=10.251.0.2,tun_dst=10.251.0.1,metadata=0x1/0xff,"
                + "actions=set_field:10.251.0.9->tun_dst,set_field:0x5/0xff->reg3,set_field:0x77->tun_id,output:6",
                flow(2, 220, 0, Match.builder().ethType(0x0800).ipProto(132).sctpSrc(0x50, 0xfff0).sctpDst(9000)
                                .tunnelId(0x55, 0xff).tunIpv4Src("10.251.0.2").tunIpv4Dst("10.251.0.1")
                                .metadata(0x1, 0xff).build(),
                        apply(new Action.SetField(MatchField.exact(OxmFields.TUN_IPV4_DST, ip("10.251.0.9").getAddress())),
                                new Action.SetField(MatchField.masked(OxmFields.REG3, u32(5), u32(0xff))),
                                new Action.SetField(MatchField.exact(OxmFields.TUNNEL_ID, u64(0x77))),
                                Action.Output.to(6)))));
        Match.Builder regs = Match.builder();
        StringBuilder regText = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            if (i % 3 == 1) {
                regs.reg(i, i + 0x100, 0xff0f);
                regText.append(",reg").append(i).append("=0x").append(Integer.toHexString(i + 0x100))
                        .append("/0xff0f");
            } else {
                regs.reg(i, i + 1);
                regText.append(",reg").append(i).append("=").append(i + 1);
            }
        }
        c.add(new FlowCase("table=3,priority=300" + regText + ",actions=note:01.02.03.04.05.06,goto_table:4",
                flow(3, 300, 0, regs.build(), List.of(
                        Instruction.ApplyActions.of(new Action.Note(new byte[] {1, 2, 3, 4, 5, 6})),
                        new Instruction.GotoTable(4)))));
        c.add(new FlowCase("table=3,priority=310,xxreg0=0x1234/0xffff,xxreg2=0x1,"
                + "actions=set_field:0x1/0xff->xxreg1,resubmit(,4)",
                flow(3, 310, 0, Match.builder().xxreg(0, BigInteger.valueOf(0x1234), BigInteger.valueOf(0xffff))
                                .xxreg(2, BigInteger.ONE).build(),
                        apply(new Action.SetField(MatchField.masked(OxmFields.XXREG1, u128(1), u128(0xff))),
                                Action.Resubmit.toTable(4)))));
        c.add(new FlowCase("table=4,priority=400,ct_state=+trk+est-new,ct_zone=5,ct_mark=0x1/0xff,ct_label=0x1/0xff,ip,"
                + "actions=ct(commit,zone=5,table=6,nat(dst=10.0.0.1-10.0.0.5:80-90),"
                + "exec(set_field:0x1->ct_mark,set_field:0x2->ct_label))",
                flow(4, 400, 0, Match.builder().ctState(CtState.parse("+trk+est-new")).ctZone(5).ctMark(1, 0xff)
                                .ctLabel(BigInteger.ONE, BigInteger.valueOf(0xff)).ethType(0x0800).build(),
                        apply(new Action.Ct(true, false, null, 5, 6, 0,
                                new Action.Nat(Action.Nat.NatType.DST, ip("10.0.0.1").getAddress(),
                                        ip("10.0.0.5").getAddress(), 80, 90, false, false, false),
                                List.of(new Action.SetField(MatchField.exact(OxmFields.CT_MARK, u32(1))),
                                        new Action.SetField(MatchField.exact(OxmFields.CT_LABEL, u128(2)))))))));
        c.add(new FlowCase("table=5,priority=500,ip,nw_src=10.1.0.0/16,actions=conjunction(7,1/2)",
                flow(5, 500, 0, Match.builder().ethType(0x0800).ipv4Src("10.1.0.0/16").build(),
                        apply(new Action.Conjunction(7, 1, 2)))));
        c.add(new FlowCase("table=5,priority=500,ip,nw_dst=10.2.0.0/16,actions=conjunction(7,2/2)",
                flow(5, 500, 0, Match.builder().ethType(0x0800).ipv4Dst("10.2.0.0/16").build(),
                        apply(new Action.Conjunction(7, 2, 2)))));
        c.add(new FlowCase("table=5,priority=500,conj_id=7,ip,actions=ct(commit,zone=NXM_NX_REG6[0..15],"
                + "nat(src=10.0.0.1)),controller(reason=action,max_len=128,userdata=01.02.03.04,pause)",
                flow(5, 500, 0, Match.builder().conjId(7).ethType(0x0800).build(),
                        apply(new Action.Ct(true, false, Subfield.range(OxmFields.REG6, 0, 15), 0, Action.Ct.NO_RECIRC,
                                        0, Action.Nat.src(ip("10.0.0.1"), 0), List.of()),
                                new Action.Controller(128, 0, Action.Controller.REASON_ACTION,
                                        new byte[] {1, 2, 3, 4}, true)))));
        c.add(new FlowCase("table=6,priority=600,cookie=0x34,ip,actions=learn(table=10,idle_timeout=60,priority=7,"
                + "cookie=0x9,eth_type=0x800,NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],NXM_OF_IP_SRC[],"
                + "load:NXM_NX_REG0[]->NXM_NX_REG1[],output:NXM_OF_IN_PORT[]),controller:65535",
                flow(6, 600, 0x34, Match.builder().ethType(0x0800).build(),
                        apply(new Action.Learn(10, 60, 0, 7, 0x9, 0, 0, 0, List.of(
                                        new LearnSpec.MatchImmediate(new byte[] {0x08, 0x00},
                                                Subfield.whole(OxmFields.NXM_OF_ETH_TYPE)),
                                        new LearnSpec.MatchFromField(Subfield.whole(OxmFields.NXM_OF_ETH_SRC),
                                                Subfield.whole(OxmFields.NXM_OF_ETH_DST)),
                                        LearnSpec.MatchFromField.same(Subfield.whole(OxmFields.NXM_OF_IP_SRC)),
                                        new LearnSpec.LoadFromField(Subfield.whole(OxmFields.REG0),
                                                Subfield.whole(OxmFields.REG1)),
                                        new LearnSpec.OutputFromField(Subfield.whole(OxmFields.NXM_OF_IN_PORT)))),
                                new Action.Output(Action.Output.CONTROLLER, 65535)))));
        c.add(new FlowCase("table=6,priority=610,ipv6,actions=ct(commit,nat(src=fd00::1-fd00::9,random)),"
                + "controller(reason=no_match,id=3)",
                flow(6, 610, 0, Match.builder().ethType(0x86dd).build(),
                        apply(new Action.Ct(true, false, null, 0, Action.Ct.NO_RECIRC, 0,
                                        new Action.Nat(Action.Nat.NatType.SRC, ip("fd00::1").getAddress(),
                                                ip("fd00::9").getAddress(), 0, 0, false, false, true), List.of()),
                                new Action.Controller(65535, 3, 0, new byte[0], false)))));
        c.add(new FlowCase("table=7,priority=0,actions=drop",
                flow(7, 0, 0, Match.ANY, List.of())));
        c.add(new FlowCase("table=7,priority=5,in_port=3,actions=group:2",
                flow(7, 5, 0, Match.builder().inPort(3).build(), apply(new Action.Group(2)))));
        return c;
    }

    private static FlowMod flow(int table, int priority, long cookie, Match match, List<Instruction> instructions) {
        return FlowMod.builder(FlowModCommand.ADD).tableId(table).priority(priority).cookie(cookie).match(match)
                .instructions(instructions).build();
    }

    private static List<Instruction> apply(Action... actions) {
        return List.of(Instruction.ApplyActions.of(actions));
    }

    private static Action setField(io.trellis.ovs.openflow.match.OxmField field, long value) {
        return new Action.SetField(MatchField.exact(field, u32(value)));
    }

    private static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private static byte[] u32(long v) {
        return io.trellis.ovs.openflow.match.Bytes.ofLong(v, 4);
    }

    private static byte[] u64(long v) {
        return io.trellis.ovs.openflow.match.Bytes.ofLong(v, 8);
    }

    private static byte[] u128(long v) {
        return io.trellis.ovs.openflow.match.Bytes.ofLong(v, 16);
    }
}
