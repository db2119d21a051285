package io.trellis.controlplane.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.controlplane.policy.AddressGroup;
import io.trellis.controlplane.policy.AppliedToGroup;
import io.trellis.controlplane.policy.InternalPolicy;
import io.trellis.controlplane.policy.InternalRule;
import io.trellis.controlplane.policy.NamedPort;
import io.trellis.controlplane.policy.PodMember;
import io.trellis.controlplane.policy.PolicyObject;
import io.trellis.controlplane.policy.PolicyObjectKey;
import io.trellis.controlplane.policy.RulePeers;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.PodRef;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import java.net.InetAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StreamEventCodecTest {
    private final StreamEventCodec codec = new StreamEventCodec();

    static PodMember member(String ns, String pod, String node, String... ips) {
        return new PodMember(new PodRef(ns, pod), node, java.util.Arrays.stream(ips).map(StreamEventCodecTest::ip).toList(),
                List.of(new NamedPort("http", Protocol.TCP, 8080), new NamedPort("dns", Protocol.UDP, 53)));
    }

    static InetAddress ip(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static InternalPolicy policy() {
        InternalRule ingressAny = new InternalRule(Direction.INGRESS, 0, RulePeers.ANY, List.of());
        InternalRule ingress = new InternalRule(Direction.INGRESS, 1,
                RulePeers.of(List.of("ag-1", "ag-2"), List.of(new IpBlock(IpPrefix.parse("10.0.0.0/8"),
                        List.of(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.3.0/24"))))),
                List.of(RulePort.number(Protocol.TCP, 80),
                        new RulePort(Protocol.TCP, OptionalInt.of(1000), Optional.empty(), OptionalInt.of(2000)),
                        RulePort.named(Protocol.UDP, "dns"), RulePort.anyPort(Protocol.SCTP)));
        InternalRule egress = new InternalRule(Direction.EGRESS, 0,
                RulePeers.of(List.of(), List.of(IpBlock.of(IpPrefix.parse("fd00::/64")))), List.of());
        return new InternalPolicy("uid-1", new PolicyRef("x", "allow-web"), "atg-1",
                EnumSet.of(Direction.INGRESS, Direction.EGRESS), List.of(ingressAny, ingress, egress));
    }

    static List<PolicyObject> sampleObjects() {
        return List.of(
                new AppliedToGroup("atg-1", List.of(member("x", "a", "n1", "10.244.1.5", "fd00::5"))),
                new AddressGroup("ag-1", List.of(member("y", "b", "n2", "10.244.2.7"), member("z", "c", "n1",
                        "10.244.1.9"))),
                new AddressGroup("ag-empty", List.of()),
                policy());
    }

    @Test
    void everyEventRoundTrips() {
        List<StreamEvent> events = List.of(
                new StreamEvent.Snapshot("e.1", sampleObjects()),
                new StreamEvent.Snapshot("e.0", List.of()),
                new StreamEvent.Added("e.2", policy()),
                new StreamEvent.Modified("e.3", sampleObjects().get(0)),
                new StreamEvent.Deleted("e.4", new PolicyObjectKey(PolicyObjectKey.Kind.POLICY, "uid-1")),
                new StreamEvent.Deleted("e.5", new PolicyObjectKey(PolicyObjectKey.Kind.ADDRESS_GROUP, "ag-1")),
                new StreamEvent.Deleted("e.6", new PolicyObjectKey(PolicyObjectKey.Kind.APPLIED_TO_GROUP, "atg-1")),
                new StreamEvent.Heartbeat("e.7"));

        for (StreamEvent event : events) {
            String line = codec.encode(event);
            assertThat(line).doesNotContain("\n");
            assertThat(codec.decode(line)).isEqualTo(event);
        }
    }

    @Test
    void theWireFormatIsTheDocumentedOne() {
        String line = codec.encode(new StreamEvent.Added("e.9", new AppliedToGroup("g",
                List.of(new PodMember(new PodRef("x", "a"), "n1", List.of(ip("10.0.0.1")),
                        List.of(new NamedPort("http", Protocol.TCP, 80)))))));

        assertThat(line).isEqualTo("{\"type\":\"ADDED\",\"resourceVersion\":\"e.9\",\"object\":{\"kind\":\"AppliedToGroup\","
                + "\"name\":\"g\",\"members\":[{\"namespace\":\"x\",\"pod\":\"a\",\"node\":\"n1\",\"ips\":[\"10.0.0.1\"],"
                + "\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"port\":80}]}]}}");
    }

    @Test
    void namesWithQuotesAndNewlinesStayOnOneLine() {
        StreamEvent event = new StreamEvent.Added("e.1", new AddressGroup("odd \"name\"\nwith newline", List.of()));
        String line = codec.encode(event);

        assertThat(line).doesNotContain("\n");
        assertThat(codec.decode(line)).isEqualTo(event);
    }

    private void rejects(String line, String message) {
        assertThatThrownBy(() -> codec.decode(line)).isInstanceOf(PolicyWireException.class).hasMessage(message);
    }

    private static final String MEMBER = "{\"namespace\":\"x\",\"pod\":\"a\",\"node\":\"n1\",\"ips\":[%s],\"ports\":[]}";

    @Test
    void malformedLinesNameTheFieldAndValue() {
        rejects("{\"type\":\"HEARTBEAT\"}", "field 'resourceVersion': required, missing");
        rejects("{\"type\":\"PING\",\"resourceVersion\":\"1\"}",
                "field 'type': expected SNAPSHOT, ADDED, MODIFIED, DELETED or HEARTBEAT, got \"PING\"");
        rejects("{\"type\":\"HEARTBEAT\",\"resourceVersion\":7}", "field 'resourceVersion': expected a string, got 7");
        rejects("{\"type\":\"HEARTBEAT\",\"resourceVersion\":\"1\",\"extra\":true}",
                "field 'extra': unknown field (value true)");
        rejects("[1]", "field '(message)': expected an object, got [1]");
        rejects("{\"type\":\"ADDED\",\"resourceVersion\":\"1\",\"object\":{\"kind\":\"Group\",\"name\":\"g\"}}",
                "field 'object.kind': expected AppliedToGroup, AddressGroup or InternalPolicy, got \"Group\"");
        rejects("{\"type\":\"ADDED\",\"resourceVersion\":\"1\",\"object\":{\"kind\":\"AddressGroup\",\"name\":\"g\","
                + "\"members\":[" + MEMBER.formatted("\"10.0.0.1\",\"10.0.0.x\"") + "]}}",
                "field 'object.members[0].ips[1]': expected a numeric IP address, got \"10.0.0.x\"");
        rejects("{\"type\":\"ADDED\",\"resourceVersion\":\"1\",\"object\":{\"kind\":\"AddressGroup\",\"name\":\"g\","
                + "\"members\":[" + MEMBER.formatted("") + "]}}",
                "field 'object.members[0]': group member x/a has no IP");
        rejects("{\"type\":\"DELETED\",\"resourceVersion\":\"1\",\"key\":{\"kind\":\"AddressGroup\",\"name\":\"\"}}",
                "field 'key': ADDRESS_GROUP needs a name");
        rejects("{\"type\":\"SNAPSHOT\",\"resourceVersion\":\"1\",\"objects\":{}}",
                "field 'objects': expected an array, got {}");
    }

    @Test
    void malformedRulesNameTheFieldAndValue() {
        String good = codec.encode(new StreamEvent.Added("1", policy()));

        rejects(good.replace("\"port\":80", "\"port\":0"),
                "field 'object.rules[1].ports[0].port': expected an integer 1..65535, got 0");
        rejects(good.replace("\"port\":80", "\"port\":\"80\""),
                "field 'object.rules[1].ports[0].port': expected an integer 1..65535, got \"80\"");
        rejects(good.replace("\"endPort\":2000", "\"endPort\":999"),
                "field 'object.rules[1].ports[1]': endPort 999 is below port 1000");
        rejects(good.replace("\"protocol\":\"UDP\"", "\"protocol\":\"ICMP\""),
                "field 'object.rules[1].ports[2].protocol': expected one of [TCP, UDP, SCTP], got \"ICMP\"");
        rejects(good.replace("\"10.1.0.0/16\"", "\"11.0.0.0/16\""),
                "field 'object.rules[1].peers.ipBlocks[0]': except 11.0.0.0/16 is not a strict subset of 10.0.0.0/8");
        rejects(good.replace("\"10.0.0.0/8\"", "\"10.0.0.0\""),
                "field 'object.rules[1].peers.ipBlocks[0].cidr': '10.0.0.0' is not a CIDR (address/length)");
        rejects(good.replace("\"isolates\":[\"INGRESS\",\"EGRESS\"]", "\"isolates\":[\"INGRESS\",\"SIDEWAYS\"]"),
                "field 'object.isolates[1]': expected one of [INGRESS, EGRESS], got \"SIDEWAYS\"");
        rejects(good.replace("\"isolates\":[\"INGRESS\",\"EGRESS\"]", "\"isolates\":[\"INGRESS\"]"),
                "field 'object': policy x/allow-web has a EGRESS rule but does not isolate EGRESS");
        rejects(good.replace("\"any\":true,\"addressGroups\":[]", "\"any\":true,\"addressGroups\":[\"g\"]"),
                "field 'object.rules[0].peers': rule peers: 'any' excludes address groups [g] and ipBlocks []");
        rejects(good.replace("\"index\":1", "\"index\":-1"),
                "field 'object.rules[1].index': expected an integer 0..2147483647, got -1");
    }

    @Test
    void brokenJsonAndDuplicateKeysAreRejected() {
        assertThatThrownBy(() -> codec.decode("{\"type\":")).isInstanceOf(PolicyWireException.class)
                .hasMessageStartingWith("policy stream line is not valid JSON").hasMessageEndingWith(": {\"type\":");
        assertThatThrownBy(() -> codec.decode("{\"type\":\"HEARTBEAT\",\"type\":\"SNAPSHOT\",\"resourceVersion\":\"1\"}"))
                .isInstanceOf(PolicyWireException.class).hasMessageContaining("Duplicate field 'type'");
        assertThatThrownBy(() -> codec.decode("")).isInstanceOf(PolicyWireException.class)
                .hasMessage("policy stream line: empty");
    }

    @Test
    void isolatesAreWrittenInEnumOrder() {
        InternalPolicy p = new InternalPolicy("u", new PolicyRef("x", "p"), "g", Set.of(Direction.EGRESS,
                Direction.INGRESS), List.of());
        assertThat(codec.encode(new StreamEvent.Added("1", p))).contains("\"isolates\":[\"INGRESS\",\"EGRESS\"]");
    }
}
