package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks kube-apiserver makes on a {@code networking.k8s.io/v1} NetworkPolicy (ValidateNetworkPolicySpec),
 * so that {@code lab apply} refuses what a real cluster refuses, naming the field: policy types, label
 * selectors (operators and their values), peers (ipBlock alone, else a pod and/or namespace selector), ipBlock
 * CIDRs with {@code except} strictly inside, ports (protocol, a number or a port name, {@code endPort} only with
 * a numeric port and not below it).
 */
final class NetworkPolicyValidation {
    private static final Set<String> POLICY_TYPES = Set.of("Ingress", "Egress");
    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "SCTP");
    private static final Pattern PORT_NAME = Pattern.compile("(?=.{1,15}$)(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private NetworkPolicyValidation() {
    }

    static void validate(NetworkPolicy policy, String where, List<String> problems) {
        NetworkPolicySpec spec = policy.getSpec();
        if (spec == null) {
            problems.add(where + ": spec is missing");
            return;
        }
        selector(spec.getPodSelector(), where + ": spec.podSelector", problems);
        List<String> types = spec.getPolicyTypes() == null ? List.of() : spec.getPolicyTypes();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < types.size(); i++) {
            if (!POLICY_TYPES.contains(types.get(i))) {
                problems.add(where + ": spec.policyTypes[" + i + "] '" + types.get(i) + "' is not one of Ingress, Egress");
            } else if (!seen.add(types.get(i))) {
                problems.add(where + ": spec.policyTypes[" + i + "] '" + types.get(i) + "' is listed twice");
            }
        }
        var ingress = spec.getIngress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule>of()
                : spec.getIngress();
        for (int i = 0; i < ingress.size(); i++) {
            String at = where + ": spec.ingress[" + i + "]";
            peers(ingress.get(i).getFrom(), at + ".from", problems);
            ports(ingress.get(i).getPorts(), at + ".ports", problems);
        }
        var egress = spec.getEgress() == null ? List.<io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule>of()
                : spec.getEgress();
        for (int i = 0; i < egress.size(); i++) {
            String at = where + ": spec.egress[" + i + "]";
            peers(egress.get(i).getTo(), at + ".to", problems);
            ports(egress.get(i).getPorts(), at + ".ports", problems);
        }
    }

    private static void peers(List<NetworkPolicyPeer> peers, String at, List<String> problems) {
        if (peers == null) {
            return;
        }
        for (int j = 0; j < peers.size(); j++) {
            NetworkPolicyPeer peer = peers.get(j);
            String p = at + "[" + j + "]";
            boolean selectors = peer.getPodSelector() != null || peer.getNamespaceSelector() != null;
            if (peer.getIpBlock() != null && selectors) {
                problems.add(p + ": ipBlock may not be combined with podSelector or namespaceSelector");
            } else if (peer.getIpBlock() == null && !selectors) {
                problems.add(p + ": must specify a peer (podSelector, namespaceSelector or ipBlock)");
            }
            selector(peer.getPodSelector(), p + ".podSelector", problems);
            selector(peer.getNamespaceSelector(), p + ".namespaceSelector", problems);
            if (peer.getIpBlock() != null) {
                ipBlock(peer.getIpBlock(), p + ".ipBlock", problems);
            }
        }
    }

    private static void selector(LabelSelector selector, String at, List<String> problems) {
        if (selector == null || selector.getMatchExpressions() == null) {
            return;
        }
        List<LabelSelectorRequirement> expressions = selector.getMatchExpressions();
        for (int k = 0; k < expressions.size(); k++) {
            LabelSelectorRequirement r = expressions.get(k);
            String e = at + ".matchExpressions[" + k + "]";
            List<String> values = r.getValues() == null ? List.of() : r.getValues();
            if (r.getKey() == null || r.getKey().isBlank()) {
                problems.add(e + ".key is missing");
            }
            String operator = r.getOperator();
            if ("In".equals(operator) || "NotIn".equals(operator)) {
                if (values.isEmpty()) {
                    problems.add(e + ".values must be non-empty for operator " + operator);
                }
            } else if ("Exists".equals(operator) || "DoesNotExist".equals(operator)) {
                if (!values.isEmpty()) {
                    problems.add(e + ".values must be empty for operator " + operator + ", got " + values);
                }
            } else {
                problems.add(e + ".operator '" + operator + "' is not one of In, NotIn, Exists, DoesNotExist");
            }
        }
    }

    private static void ipBlock(IPBlock block, String at, List<String> problems) {
        Optional<Cidr> cidr = Cidr.parse(block.getCidr());
        if (cidr.isEmpty()) {
            problems.add(at + ".cidr '" + block.getCidr() + "' is not a CIDR (address/prefix length)");
        }
        List<String> except = block.getExcept() == null ? List.of() : block.getExcept();
        for (int i = 0; i < except.size(); i++) {
            Optional<Cidr> e = Cidr.parse(except.get(i));
            if (e.isEmpty()) {
                problems.add(at + ".except[" + i + "] '" + except.get(i) + "' is not a CIDR (address/prefix length)");
            } else if (cidr.isPresent() && !cidr.get().strictlyContains(e.get())) {
                problems.add(at + ".except[" + i + "] " + except.get(i) + " must be a strict subset of cidr "
                        + block.getCidr());
            }
        }
    }

    private static void ports(List<NetworkPolicyPort> ports, String at, List<String> problems) {
        if (ports == null) {
            return;
        }
        for (int k = 0; k < ports.size(); k++) {
            NetworkPolicyPort port = ports.get(k);
            String p = at + "[" + k + "]";
            if (port.getProtocol() != null && !PROTOCOLS.contains(port.getProtocol())) {
                problems.add(p + ".protocol '" + port.getProtocol() + "' is not one of TCP, UDP, SCTP");
            }
            IntOrString number = port.getPort();
            Integer numeric = number == null ? null : number.getIntVal();
            if (numeric != null && (numeric < 1 || numeric > 65535)) {
                problems.add(p + ".port " + numeric + " is not a port number (1-65535)");
            } else if (number != null && number.getStrVal() != null && !PORT_NAME.matcher(number.getStrVal()).matches()) {
                problems.add(p + ".port '" + number.getStrVal() + "' is not a port number or a port name "
                        + "(at most 15 lowercase letters, digits and '-', with a letter)");
            }
            Integer end = port.getEndPort();
            if (end != null) {
                if (numeric == null) {
                    problems.add(p + ".endPort " + end + " needs a numeric port (port is "
                            + (number == null ? "missing" : "'" + number.getStrVal() + "'") + ")");
                } else if (end < numeric || end > 65535) {
                    problems.add(p + ".endPort " + end + " must be between port " + numeric + " and 65535");
                }
            }
        }
    }

    /** An address and prefix length, IPv4 or IPv6, parsed without any name lookup. */
    record Cidr(byte[] address, int prefixLength) {
        static Optional<Cidr> parse(String text) {
            if (text == null) {
                return Optional.empty();
            }
            int slash = text.indexOf('/');
            if (slash < 0) {
                return Optional.empty();
            }
            String ip = text.substring(0, slash);
            // Only literals: InetAddress.getByName would resolve a host name.
            if (!IPV4.matcher(ip).matches() && !ip.contains(":")) {
                return Optional.empty();
            }
            try {
                byte[] bytes = InetAddress.getByName(ip).getAddress();
                int length = Integer.parseInt(text.substring(slash + 1));
                if (length < 0 || length > bytes.length * 8 || IPV4.matcher(ip).matches()
                        && java.util.Arrays.stream(ip.split("\\.")).anyMatch(o -> Integer.parseInt(o) > 255)) {
                    return Optional.empty();
                }
                return Optional.of(new Cidr(bytes, length));
            } catch (UnknownHostException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        boolean strictlyContains(Cidr other) {
            if (other.address.length != address.length || other.prefixLength <= prefixLength) {
                return false;
            }
            int bits = address.length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .xor(BigInteger.ONE.shiftLeft(bits - prefixLength).subtract(BigInteger.ONE));
            return new BigInteger(1, address).and(mask).equals(new BigInteger(1, other.address).and(mask));
        }
    }
}
