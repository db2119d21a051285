package io.trellis.ovs.openflow.text;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.openflow.action.Instruction;
import io.trellis.ovs.openflow.action.InstructionCodec;
import io.trellis.ovs.openflow.match.Match;
import io.trellis.ovs.openflow.match.MatchCodec;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flow-mods captured between ovs-ofctl and a real ovs-vswitchd (resources openflow/captures, see
 * the README there): the match and instructions decode, re-encode to the identical bytes, and
 * print as OVS printed them.
 */
class CapturedFlowModsTest {

    private static final int OFPT_FLOW_MOD = 14;
    private static final int OFPT_BUNDLE_ADD_MESSAGE = 34;

    record Capture(String file, byte[] flowMod, String ofpPrint) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Capture> captures() throws IOException, URISyntaxException {
        URL dir = CapturedFlowModsTest.class.getResource("/openflow/captures");
        assertThat(dir).as("openflow/captures on the test class path").isNotNull();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            return files.filter(p -> p.getFileName().toString().matches("(flowmod-|bundle-add-flowmod).*\\.txt"))
                    .sorted().map(CapturedFlowModsTest::read).toList().stream();
        }
    }

    private static Capture read(Path p) {
        try {
            String hex = null;
            String print = null;
            for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                if (line.startsWith("# ofp-print: ")) {
                    print = line.substring("# ofp-print: ".length());
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    hex = line.strip();
                }
            }
            byte[] msg = HexFormat.of().parseHex(hex);
            if ((msg[1] & 0xff) == OFPT_BUNDLE_ADD_MESSAGE) {
                // ofp_bundle_add_msg: header, bundle_id, pad, flags, then the flow-mod
                msg = java.util.Arrays.copyOfRange(msg, 16, msg.length);
                print = print.substring(print.lastIndexOf("OFPT_FLOW_MOD"));
            }
            assertThat(msg[1] & 0xff).as(p + " is a flow-mod").isEqualTo(OFPT_FLOW_MOD);
            return new Capture(p.getFileName().toString(), msg, print);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void capturesArePresent() throws Exception {
        assertThat(captures().count()).isGreaterThanOrEqualTo(15);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void reencodesToTheCapturedBytes(Capture c) {
        OfVersion v = OfVersion.fromWire(c.flowMod()[0]);
        ByteBuf in = Unpooled.wrappedBuffer(c.flowMod());
        in.skipBytes(OvsFlowMods.MATCH_OFFSET);
        Match match = MatchCodec.decode(in);
        List<Instruction> instructions = InstructionCodec.decode(in, in.readableBytes(), v);

        ByteBuf out = Unpooled.buffer();
        MatchCodec.encode(match, out);
        InstructionCodec.encode(instructions, out, v);
        byte[] tail = java.util.Arrays.copyOfRange(c.flowMod(), OvsFlowMods.MATCH_OFFSET, c.flowMod().length);
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo(HexFormat.of().formatHex(tail));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void printsLikeOvs(Capture c) {
        OfVersion v = OfVersion.fromWire(c.flowMod()[0]);
        ByteBuf in = Unpooled.wrappedBuffer(c.flowMod());
        in.skipBytes(OvsFlowMods.MATCH_OFFSET);
        Match match = MatchCodec.decode(in);
        List<Instruction> instructions = InstructionCodec.decode(in, in.readableBytes(), v);

        // "...: ADD table:1 priority=100,tcp,in_port=5 cookie:0x1234 idle:30 actions=output:6"
        String flow = c.ofpPrint().substring(c.ofpPrint().indexOf("): ") + 3);
        String expectedMatch = "";
        for (String token : flow.substring(0, flow.indexOf(" actions=")).split(" ")) {
            if (token.startsWith("priority=")) {
                int comma = token.indexOf(',');
                expectedMatch = comma < 0 ? "" : token.substring(comma + 1);
            }
        }
        String expectedActions = flow.substring(flow.indexOf(" actions=") + " actions=".length());
        assertThat(FlowText.match(match)).isEqualTo(expectedMatch);
        assertThat(FlowText.instructions(instructions)).isEqualTo(expectedActions);
    }
}
