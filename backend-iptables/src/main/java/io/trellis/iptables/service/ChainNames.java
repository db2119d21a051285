package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.ServiceRef;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names of the chains the iptables Service proxy owns. Fixed chains carry fixed names; a Service
 * port's chains are {@code TRELLIS-<KIND>-<16 base32 chars of SHA-256>} of the port's identity (and the
 * endpoint for SEP chains): 28 characters, the longest chain name iptables accepts, the same on every
 * node and after every restart, so a restarted agent finds its chains again.
 *
 * <p>Ownership is decided by name alone: {@link #isOwned} matches exactly these names, never a broad
 * {@code TRELLIS-} prefix, because other Trellis components of this backend (masquerade, policy) keep
 * chains of their own in the same tables.
 */
final class ChainNames {

    /** nat: entry from PREROUTING and OUTPUT: cluster, external and load-balancer IPs, then node ports. */
    static final String SERVICES = "TRELLIS-SERVICES";
    /** nat: node ports, reached from the last rule of {@link #SERVICES} for local destination addresses. */
    static final String NODE_PORTS = "TRELLIS-NODEPORTS";
    /** nat: marks a connection for masquerade in {@link #POSTROUTING}. */
    static final String MARK_MASQ = "TRELLIS-MARK-MASQ";
    /**
     * nat: masquerades marked connections. Not {@code TRELLIS-POSTROUTING}: that name is the pod egress
     * masquerade chain of the ovs backend (MasqueradeRules), which this backend's masquerade may reuse.
     */
    static final String POSTROUTING = "TRELLIS-SVC-POSTROUTING";
    /** filter: rejects/drops new connections to cluster IPs without (local) endpoints. */
    static final String FILTER_SERVICES = "TRELLIS-SERVICES";
    /** filter: rejects/drops new connections to node ports, external and LB IPs without (local) endpoints. */
    static final String EXTERNAL_SERVICES = "TRELLIS-EXTERNAL-SERVICES";

    static final String NAT = "nat";
    static final String FILTER = "filter";

    /** The fixed chains per table, in the order they are declared. */
    static final Map<String, List<String>> FIXED = Map.of(
            NAT, List.of(SERVICES, NODE_PORTS, MARK_MASQ, POSTROUTING),
            FILTER, List.of(FILTER_SERVICES, EXTERNAL_SERVICES));

    /** Per Service port: its load-balancing chain over all used endpoints. */
    static final String SVC = "TRELLIS-SVC-";
    /** Per Service port: load balancing over this node's endpoints (Local traffic policies). */
    static final String SVL = "TRELLIS-SVL-";
    /** Per Service port: what node ports, external and LB IPs go through (masquerade / Local choice). */
    static final String EXT = "TRELLIS-EXT-";
    /** Per Service port and endpoint: the DNAT (and the hairpin masquerade, the affinity record). */
    static final String SEP = "TRELLIS-SEP-";

    private static final Pattern PER_SERVICE = Pattern.compile("TRELLIS-(SVC|SVL|EXT|SEP)-[A-Z2-7]{16}");
    private static final Set<String> FIXED_NAMES = Set.of(SERVICES, NODE_PORTS, MARK_MASQ, POSTROUTING, EXTERNAL_SERVICES);
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private ChainNames() {
    }

    /** Whether {@code chain} is one this proxy creates (in either table). */
    static boolean isOwned(String chain) {
        return FIXED_NAMES.contains(chain) || PER_SERVICE.matcher(chain).matches();
    }

    static String svc(ServiceRef ref, String portName, Protocol protocol) {
        return SVC + hash("svc", ref, portName, protocol, "");
    }

    static String svl(ServiceRef ref, String portName, Protocol protocol) {
        return SVL + hash("svl", ref, portName, protocol, "");
    }

    static String ext(ServiceRef ref, String portName, Protocol protocol) {
        return EXT + hash("ext", ref, portName, protocol, "");
    }

    /** {@code endpoint} is {@code ip:port}. */
    static String sep(ServiceRef ref, String portName, Protocol protocol, String endpoint) {
        return SEP + hash("sep", ref, portName, protocol, requireNonNull(endpoint, "endpoint"));
    }

    private static String hash(String kind, ServiceRef ref, String portName, Protocol protocol, String endpoint) {
        requireNonNull(ref, "ref");
        requireNonNull(portName, "portName");
        requireNonNull(protocol, "protocol");
        // '/' and '|' cannot occur in namespace, name or port names, so distinct inputs give distinct texts.
        String text = kind + "|" + ref.namespace() + "/" + ref.name() + "|" + portName + "|" + protocol + "|" + endpoint;
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        return base32(digest, 16);
    }

    /** The first {@code chars} characters of the RFC 4648 base32 encoding of {@code bytes}. */
    static String base32(byte[] bytes, int chars) {
        StringBuilder out = new StringBuilder(chars);
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < bytes.length && out.length() < chars; i++) {
            buffer = (buffer << 8) | (bytes[i] & 0xff);
            bits += 8;
            while (bits >= 5 && out.length() < chars) {
                out.append(BASE32[(buffer >> (bits - 5)) & 0x1f]);
                bits -= 5;
            }
        }
        return out.toString();
    }
}
