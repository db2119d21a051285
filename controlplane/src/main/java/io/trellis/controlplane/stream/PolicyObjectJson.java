package io.trellis.controlplane.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

/**
 * The JSON form of {@link PolicyObject}s and {@link PolicyObjectKey}s, field by field (no data
 * binding, so the wire format is visible here and does not change when a record does):
 * <pre>
 * {"kind":"AppliedToGroup"|"AddressGroup","name":"..","members":[
 *     {"namespace":"x","pod":"a","node":"n1","ips":["10.244.1.5"],"ports":[{"name":"http","protocol":"TCP","port":80}]}]}
 * {"kind":"InternalPolicy","uid":"..","namespace":"x","name":"deny","appliedToGroup":"..","isolates":["INGRESS"],
 *  "rules":[{"direction":"INGRESS","index":0,
 *            "peers":{"any":false,"addressGroups":[".."],"ipBlocks":[{"cidr":"10.0.0.0/8","except":["10.1.0.0/16"]}]},
 *            "ports":[{"protocol":"TCP","port":80,"endPort":90},{"protocol":"UDP","portName":"dns"}]}]}
 * key: {"kind":"InternalPolicy","name":"&lt;uid&gt;"}
 * </pre>
 */
final class PolicyObjectJson {
    static final String APPLIED_TO_GROUP = "AppliedToGroup";
    static final String ADDRESS_GROUP = "AddressGroup";
    static final String POLICY = "InternalPolicy";

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    ObjectNode write(PolicyObject object) {
        ObjectNode out = nodes.objectNode();
        // Java 17 has no pattern switch; the sealed hierarchy has exactly these three.
        if (object instanceof AppliedToGroup g) {
            out.put("kind", APPLIED_TO_GROUP).put("name", g.name());
            writeMembers(out.putArray("members"), g.members());
        } else if (object instanceof AddressGroup g) {
            out.put("kind", ADDRESS_GROUP).put("name", g.name());
            writeMembers(out.putArray("members"), g.members());
        } else {
            InternalPolicy p = (InternalPolicy) object;
            out.put("kind", POLICY).put("uid", p.uid()).put("namespace", p.ref().namespace())
                    .put("name", p.ref().name()).put("appliedToGroup", p.appliedToGroup());
            ArrayNode isolates = out.putArray("isolates");
            EnumSet.copyOf(p.isolates()).forEach(d -> isolates.add(d.name()));
            ArrayNode rules = out.putArray("rules");
            p.rules().forEach(r -> rules.add(writeRule(r)));
        }
        return out;
    }

    ObjectNode writeKey(PolicyObjectKey key) {
        return nodes.objectNode().put("kind", kindName(key.kind())).put("name", key.name());
    }

    PolicyObject read(JsonFields in) {
        String kind = in.text("kind");
        PolicyObject object = switch (kind) {
            case APPLIED_TO_GROUP -> {
                String name = in.text("name");
                List<PodMember> members = in.objects("members", this::readMember);
                yield in.build(() -> new AppliedToGroup(name, members));
            }
            case ADDRESS_GROUP -> {
                String name = in.text("name");
                List<PodMember> members = in.objects("members", this::readMember);
                yield in.build(() -> new AddressGroup(name, members));
            }
            case POLICY -> {
                String uid = in.text("uid");
                String namespace = in.text("namespace");
                String name = in.text("name");
                String appliedTo = in.text("appliedToGroup");
                List<Direction> isolates = in.list("isolates", (n, p) -> direction(n, p));
                List<InternalRule> rules = in.objects("rules", this::readRule);
                PolicyRef ref = in.build(() -> new PolicyRef(namespace, name));
                yield in.build(() -> new InternalPolicy(uid, ref, appliedTo,
                        isolates.isEmpty() ? EnumSet.noneOf(Direction.class) : EnumSet.copyOf(isolates), rules));
            }
            default -> throw new PolicyWireException("field '" + in.field("kind") + "': expected " + APPLIED_TO_GROUP
                    + ", " + ADDRESS_GROUP + " or " + POLICY + ", got \"" + kind + "\"");
        };
        in.done();
        return object;
    }

    PolicyObjectKey readKey(JsonFields in) {
        String kind = in.text("kind");
        PolicyObjectKey.Kind k = switch (kind) {
            case APPLIED_TO_GROUP -> PolicyObjectKey.Kind.APPLIED_TO_GROUP;
            case ADDRESS_GROUP -> PolicyObjectKey.Kind.ADDRESS_GROUP;
            case POLICY -> PolicyObjectKey.Kind.POLICY;
            default -> throw new PolicyWireException("field '" + in.field("kind") + "': expected " + APPLIED_TO_GROUP
                    + ", " + ADDRESS_GROUP + " or " + POLICY + ", got \"" + kind + "\"");
        };
        String name = in.text("name");
        in.done();
        return in.build(() -> new PolicyObjectKey(k, name));
    }

    private static String kindName(PolicyObjectKey.Kind kind) {
        return switch (kind) {
            case APPLIED_TO_GROUP -> APPLIED_TO_GROUP;
            case ADDRESS_GROUP -> ADDRESS_GROUP;
            case POLICY -> POLICY;
        };
    }

    private void writeMembers(ArrayNode out, List<PodMember> members) {
        for (PodMember m : members) {
            ObjectNode member = out.addObject().put("namespace", m.pod().namespace()).put("pod", m.pod().name())
                    .put("node", m.node());
            ArrayNode ips = member.putArray("ips");
            m.ips().forEach(ip -> ips.add(ip.getHostAddress()));
            ArrayNode ports = member.putArray("ports");
            m.ports().forEach(p -> ports.addObject().put("name", p.name()).put("protocol", p.protocol().name())
                    .put("port", p.port()));
        }
    }

    private PodMember readMember(JsonFields in) {
        String namespace = in.text("namespace");
        String pod = in.text("pod");
        String node = in.text("node");
        List<InetAddress> ips = in.list("ips", JsonFields::ipElement);
        List<NamedPort> ports = in.objects("ports", p -> {
            String name = p.text("name");
            Protocol protocol = p.enumValue("protocol", Protocol.class);
            int port = p.integer("port", 1, 65535);
            return p.build(() -> new NamedPort(name, protocol, port));
        });
        PodRef ref = in.build(() -> new PodRef(namespace, pod));
        return in.build(() -> new PodMember(ref, node, ips, ports));
    }

    private ObjectNode writeRule(InternalRule rule) {
        ObjectNode out = nodes.objectNode().put("direction", rule.direction().name()).put("index", rule.index());
        ObjectNode peers = out.putObject("peers").put("any", rule.peers().any());
        ArrayNode groups = peers.putArray("addressGroups");
        rule.peers().addressGroups().forEach(groups::add);
        ArrayNode blocks = peers.putArray("ipBlocks");
        for (IpBlock block : rule.peers().ipBlocks()) {
            ObjectNode b = blocks.addObject().put("cidr", block.cidr().toString());
            ArrayNode except = b.putArray("except");
            block.except().forEach(e -> except.add(e.toString()));
        }
        ArrayNode ports = out.putArray("ports");
        for (RulePort port : rule.ports()) {
            ObjectNode p = ports.addObject().put("protocol", port.protocol().name());
            port.port().ifPresent(n -> p.put("port", n));
            port.portName().ifPresent(n -> p.put("portName", n));
            port.endPort().ifPresent(n -> p.put("endPort", n));
        }
        return out;
    }

    private InternalRule readRule(JsonFields in) {
        Direction direction = in.enumValue("direction", Direction.class);
        int index = in.integer("index", 0, Integer.MAX_VALUE);
        JsonFields p = in.object("peers");
        boolean any = p.bool("any");
        List<String> groups = p.texts("addressGroups");
        List<IpBlock> blocks = p.objects("ipBlocks", b -> {
            IpPrefix cidr = prefix(b.required("cidr"), b.field("cidr"));
            List<IpPrefix> except = b.list("except", PolicyObjectJson::prefix);
            return b.build(() -> new IpBlock(cidr, except));
        });
        p.done();
        RulePeers peers = p.build(() -> new RulePeers(any, groups, blocks));
        List<RulePort> ports = in.objects("ports", r -> {
            Protocol protocol = r.enumValue("protocol", Protocol.class);
            var port = r.optionalInteger("port", 1, 65535);
            var name = r.optionalText("portName");
            var end = r.optionalInteger("endPort", 1, 65535);
            return r.build(() -> new RulePort(protocol, port, name, end));
        });
        return in.build(() -> new InternalRule(direction, index, peers, ports));
    }

    private static IpPrefix prefix(JsonNode value, String path) {
        String text = JsonFields.textElement(value, path);
        try {
            return IpPrefix.parse(text);
        } catch (IllegalArgumentException e) {
            throw new PolicyWireException("field '" + path + "': " + e.getMessage(), e);
        }
    }

    private static Direction direction(JsonNode value, String path) {
        String text = JsonFields.textElement(value, path);
        try {
            return Direction.valueOf(text);
        } catch (IllegalArgumentException e) {
            throw new PolicyWireException("field '" + path + "': expected one of " + List.of(Direction.values())
                    + ", got \"" + text + "\"");
        }
    }
}
