package io.trellis.controller.networkpolicy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.trellis.controlplane.policy.RulePort;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Protocol;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IpBlock;
import io.trellis.spi.policy.PolicyRef;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a fabric8 {@code networking.k8s.io/v1} NetworkPolicy into a {@link PolicySpec}, checking
 * everything the computation relies on (the API server validates too, but a stand-in or an older
 * server may not). Collects every problem, each naming its field and value, e.g.
 * {@code spec.ingress[1].ports[0].endPort: 70 is below port 80}. Stateless.
 */
public final class NetworkPolicyParser {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkPolicyParser.class);
    /** IANA service name, as Kubernetes validates container port names (RFC 6335 section 5.1). */
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?");

    public PolicySpec parse(NetworkPolicy policy) throws InvalidNetworkPolicyException {
        Problems problems = new Problems();
        String namespace = policy.getMetadata() == null ? null : policy.getMetadata().getNamespace();
        String name = policy.getMetadata() == null ? null : policy.getMetadata().getName();
        String uid = policy.getMetadata() == null ? null : policy.getMetadata().getUid();
        String what = namespace + "/" + name;
        if (namespace == null || namespace.isEmpty()) {
            problems.add("metadata.namespace", "missing");
        }
        if (name == null || name.isEmpty()) {
            problems.add("metadata.name", "missing");
        }
        if (uid == null || uid.isEmpty()) {
            problems.add("metadata.uid", "missing");
        }
        // A missing spec or podSelector is the Go zero value on a real API server: the empty selector.
        NetworkPolicySpec spec = policy.getSpec() == null ? new NetworkPolicySpec() : policy.getSpec();
        LabelSelector podSelector = selector(spec.getPodSelector(), "spec.podSelector", problems)
                .orElse(LabelSelector.EVERYTHING);
        List<RuleSpec> ingress = new ArrayList<>();
        List<NetworkPolicyIngressRule> ingressRules = nullToEmpty(spec.getIngress());
        for (int i = 0; i < ingressRules.size(); i++) {
            NetworkPolicyIngressRule rule = ingressRules.get(i);
            String field = "spec.ingress[" + i + "]";
            ingress.add(new RuleSpec(peers(nullToEmpty(rule.getFrom()), field + ".from", problems),
                    ports(nullToEmpty(rule.getPorts()), field + ".ports", problems)));
        }
        List<RuleSpec> egress = new ArrayList<>();
        List<NetworkPolicyEgressRule> egressRules = nullToEmpty(spec.getEgress());
        for (int i = 0; i < egressRules.size(); i++) {
            NetworkPolicyEgressRule rule = egressRules.get(i);
            String field = "spec.egress[" + i + "]";
            egress.add(new RuleSpec(peers(nullToEmpty(rule.getTo()), field + ".to", problems),
                    ports(nullToEmpty(rule.getPorts()), field + ".ports", problems)));
        }
        Set<Direction> isolates = policyTypes(nullToEmpty(spec.getPolicyTypes()), !egress.isEmpty(), problems);
        if (!problems.isEmpty()) {
            throw new InvalidNetworkPolicyException(what, problems.list);
        }
        // Upstream: rules of a type the policy does not list have no effect.
        if (!isolates.contains(Direction.INGRESS) && !ingress.isEmpty()) {
            LOG.info("NetworkPolicy {}: its {} ingress rule(s) have no effect: policyTypes {} lacks Ingress", what,
                    ingress.size(), spec.getPolicyTypes());
            ingress = List.of();
        }
        if (!isolates.contains(Direction.EGRESS) && !egress.isEmpty()) {
            LOG.info("NetworkPolicy {}: its {} egress rule(s) have no effect: policyTypes {} lacks Egress", what,
                    egress.size(), spec.getPolicyTypes());
            egress = List.of();
        }
        return new PolicySpec(uid, new PolicyRef(namespace, name), podSelector, isolates, ingress, egress);
    }

    private static Set<Direction> policyTypes(List<String> types, boolean hasEgressRules, Problems problems) {
        if (types.isEmpty()) {
            return hasEgressRules ? EnumSet.of(Direction.INGRESS, Direction.EGRESS) : EnumSet.of(Direction.INGRESS);
        }
        Set<Direction> result = EnumSet.noneOf(Direction.class);
        for (int i = 0; i < types.size(); i++) {
            String type = types.get(i);
            if ("Ingress".equals(type)) {
                result.add(Direction.INGRESS);
            } else if ("Egress".equals(type)) {
                result.add(Direction.EGRESS);
            } else {
                problems.add("spec.policyTypes[" + i + "]", quoted(type) + " is not one of Ingress, Egress");
            }
        }
        return result;
    }

    private static List<PeerSpec> peers(List<NetworkPolicyPeer> peers, String field, Problems problems) {
        List<PeerSpec> result = new ArrayList<>();
        for (int i = 0; i < peers.size(); i++) {
            NetworkPolicyPeer peer = peers.get(i);
            String peerField = field + "[" + i + "]";
            boolean selectors = peer.getPodSelector() != null || peer.getNamespaceSelector() != null;
            if (peer.getIpBlock() != null && selectors) {
                problems.add(peerField, "ipBlock cannot be combined with podSelector or namespaceSelector");
            } else if (peer.getIpBlock() != null) {
                ipBlock(peer.getIpBlock(), peerField + ".ipBlock", problems)
                        .ifPresent(b -> result.add(new PeerSpec.Addresses(b)));
            } else if (selectors) {
                Optional<LabelSelector> ns = selector(peer.getNamespaceSelector(), peerField + ".namespaceSelector",
                        problems);
                Optional<LabelSelector> pods = selector(peer.getPodSelector(), peerField + ".podSelector", problems);
                if (ns.isPresent() || pods.isPresent()) {
                    result.add(new PeerSpec.Pods(ns, pods));
                }
            } else {
                problems.add(peerField, "needs a podSelector, a namespaceSelector or an ipBlock");
            }
        }
        return result;
    }

    private static Optional<IpBlock> ipBlock(IPBlock block, String field, Problems problems) {
        Optional<IpPrefix> cidr = prefix(block.getCidr(), field + ".cidr", problems);
        List<String> exceptTexts = nullToEmpty(block.getExcept());
        List<IpPrefix> except = new ArrayList<>();
        for (int i = 0; i < exceptTexts.size(); i++) {
            String exceptField = field + ".except[" + i + "]";
            Optional<IpPrefix> e = prefix(exceptTexts.get(i), exceptField, problems);
            if (e.isPresent() && cidr.isPresent()) {
                IpPrefix c = cidr.get();
                if (e.get().isIpv4() != c.isIpv4() || e.get().prefixLength() <= c.prefixLength()
                        || !c.contains(e.get().network())) {
                    problems.add(exceptField, quoted(exceptTexts.get(i)) + " is not a strict subset of cidr " + c);
                } else {
                    except.add(e.get());
                }
            }
        }
        if (cidr.isEmpty() || except.size() != exceptTexts.size()) {
            return Optional.empty();
        }
        return Optional.of(new IpBlock(cidr.get(), except));
    }

    /** A CIDR; host bits are cleared, as the API server has long accepted {@code 10.0.0.1/24}. */
    private static Optional<IpPrefix> prefix(String text, String field, Problems problems) {
        if (text == null || text.isEmpty()) {
            problems.add(field, "missing");
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash <= 0 || !text.substring(0, slash).chars()
                .allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
            problems.add(field, quoted(text) + " is not a CIDR (address/length)");
            return Optional.empty();
        }
        try {
            byte[] address = InetAddress.getByName(text.substring(0, slash)).getAddress();
            int length = Integer.parseInt(text.substring(slash + 1));
            if (length < 0 || length > address.length * 8) {
                problems.add(field, quoted(text) + " has prefix length " + length + ", must be 0.."
                        + address.length * 8);
                return Optional.empty();
            }
            for (int bit = length; bit < address.length * 8; bit++) {
                address[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
            }
            return Optional.of(new IpPrefix(InetAddress.getByAddress(address), length));
        } catch (UnknownHostException | NumberFormatException e) {
            problems.add(field, quoted(text) + " is not a CIDR (address/length)");
            return Optional.empty();
        }
    }

    private static List<RulePort> ports(List<NetworkPolicyPort> ports, String field, Problems problems) {
        List<RulePort> result = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            NetworkPolicyPort port = ports.get(i);
            String portField = field + "[" + i + "]";
            Protocol protocol = Protocol.TCP;
            boolean valid = true;
            if (port.getProtocol() != null) {
                try {
                    protocol = Protocol.valueOf(port.getProtocol());
                } catch (IllegalArgumentException e) {
                    problems.add(portField + ".protocol", quoted(port.getProtocol()) + " is not one of TCP, UDP, SCTP");
                    valid = false;
                }
            }
            IntOrString value = port.getPort();
            OptionalInt number = OptionalInt.empty();
            Optional<String> portName = Optional.empty();
            if (value != null && value.getIntVal() != null) {
                int n = value.getIntVal();
                if (n < 1 || n > 65535) {
                    problems.add(portField + ".port", n + " is not a port number (1..65535)");
                    valid = false;
                } else {
                    number = OptionalInt.of(n);
                }
            } else if (value != null && value.getStrVal() != null) {
                String text = value.getStrVal();
                if (!PORT_NAME.matcher(text).matches() || text.contains("--") || text.chars().noneMatch(Character::isLetter)) {
                    problems.add(portField + ".port", quoted(text) + " is not a valid port name (1-15 lowercase letters,"
                            + " digits and '-', with a letter)");
                    valid = false;
                } else {
                    portName = Optional.of(text);
                }
            }
            OptionalInt endPort = OptionalInt.empty();
            if (port.getEndPort() != null) {
                int end = port.getEndPort();
                if (number.isEmpty()) {
                    problems.add(portField + ".endPort", end + " needs a numeric port");
                    valid = false;
                } else if (end > 65535) {
                    problems.add(portField + ".endPort", end + " is not a port number (1..65535)");
                    valid = false;
                } else if (end < number.getAsInt()) {
                    problems.add(portField + ".endPort", end + " is below port " + number.getAsInt());
                    valid = false;
                } else {
                    endPort = OptionalInt.of(end);
                }
            }
            if (valid) {
                result.add(new RulePort(protocol, number, portName, endPort));
            }
        }
        return result;
    }

    /** A label selector; empty when absent (null) or when invalid (the problem is recorded). */
    private static Optional<LabelSelector> selector(io.fabric8.kubernetes.api.model.LabelSelector selector,
            String field, Problems problems) {
        if (selector == null) {
            return Optional.empty();
        }
        int before = problems.list.size();
        Map<String, String> matchLabels = new TreeMap<>();
        if (selector.getMatchLabels() != null) {
            for (Map.Entry<String, String> e : selector.getMatchLabels().entrySet()) {
                if (e.getKey() == null || e.getKey().isEmpty()) {
                    problems.add(field + ".matchLabels", "has an empty key");
                } else {
                    matchLabels.put(e.getKey(), e.getValue() == null ? "" : e.getValue());
                }
            }
        }
        List<LabelRequirement> requirements = new ArrayList<>();
        List<LabelSelectorRequirement> expressions = nullToEmpty(selector.getMatchExpressions());
        for (int i = 0; i < expressions.size(); i++) {
            LabelSelectorRequirement expression = expressions.get(i);
            String exprField = field + ".matchExpressions[" + i + "]";
            Optional<SelectorOperator> operator = SelectorOperator.fromApiName(expression.getOperator());
            if (operator.isEmpty()) {
                problems.add(exprField + ".operator", quoted(expression.getOperator()) + " is not one of "
                        + SelectorOperator.ALL);
            }
            if (expression.getKey() == null || expression.getKey().isEmpty()) {
                problems.add(exprField + ".key", "missing");
            }
            List<String> values = nullToEmpty(expression.getValues());
            if (operator.isPresent() && operator.get().takesValues() && values.isEmpty()) {
                problems.add(exprField + ".values", "must not be empty for operator " + operator.get().apiName());
            } else if (operator.isPresent() && !operator.get().takesValues() && !values.isEmpty()) {
                problems.add(exprField + ".values", values + " must be empty for operator " + operator.get().apiName());
            }
            if (problems.list.size() == before) {
                requirements.add(new LabelRequirement(expression.getKey(), operator.get(), new TreeSet<>(values)));
            }
        }
        if (problems.list.size() != before) {
            return Optional.empty();
        }
        return Optional.of(LabelSelector.of(matchLabels, requirements));
    }

    private static <T> List<T> nullToEmpty(List<T> list) {
        return list == null ? List.of() : list;
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
    }

    private static final class Problems {
        private final List<String> list = new ArrayList<>();

        void add(String field, String message) {
            list.add(field + ": " + message);
        }

        boolean isEmpty() {
            return list.isEmpty();
        }
    }
}
