package io.trellis.iptables.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.Direction;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Names of everything the enforcer creates, all starting with {@value #PREFIX} (filter chains) or
 * {@value #SET_PREFIX}/{@value #TEMP_SET_PREFIX} (ipset sets), so that a restarted agent and the
 * uninstall recognise them and nothing else. Other Trellis chains ({@code TRELLIS-POD-FORWARD},
 * {@code TRELLIS-SERVICES}, ...) never start with {@value #PREFIX}.
 *
 * <p>Chain names stay within iptables' 28 characters, set names within ipset's 31.
 */
final class PolicyNames {

    /** Every chain of the enforcer starts with this; the entry chain is exactly this. */
    static final String PREFIX = "TRELLIS-POLICY";
    /** Entry chain, jumped to from FORWARD (pod traffic, bridged or routed) and INPUT (pods to the node). */
    static final String ENTRY = PREFIX;
    /** Counts established packets by the ingress rule id in the connmark, then goes to {@link #COUNT_EGRESS}. */
    static final String COUNT_INGRESS = PREFIX + "-COUNT-IN";
    /** Counts established packets by the egress rule id in the connmark. */
    static final String COUNT_EGRESS = PREFIX + "-COUNT-EG";
    /** ipset sets of rule peers: {@value} + 16 base32 characters of their content's SHA-256. */
    static final String SET_PREFIX = "TRELLIS-POLICY-";
    /** Temporary sets used to refill an existing set in place (swap). */
    static final String TEMP_SET_PREFIX = "TRELLIS-POLTMP-";

    static final int MAX_CHAIN = 28;
    static final int MAX_SET = 31;

    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private PolicyNames() {
    }

    /** Whether a filter chain is one of ours. */
    static boolean isOwnChain(String chain) {
        return chain.equals(PREFIX) || chain.startsWith(PREFIX + "-");
    }

    /** Whether an ipset set is one of ours (including temporaries). */
    static boolean isOwnSet(String set) {
        return set.startsWith(SET_PREFIX) || set.startsWith(TEMP_SET_PREFIX);
    }

    /** The chain holding the rules of one isolated pod address in one direction: {@code TRELLIS-POLICY-I-0AF4010B}. */
    static String podChain(Direction direction, Inet4Address pod) {
        requireNonNull(direction, "direction");
        return PREFIX + "-" + letter(direction) + "-" + HexFormat.of().withUpperCase().formatHex(pod.getAddress());
    }

    /**
     * The chain a rule's matching lines go to ({@code -g}): records the rule in the connmark; its
     * counters are the rule's sessions. {@code TRELLIS-POLICY-RI-17}.
     */
    static String ruleChain(Direction direction, int id) {
        requireNonNull(direction, "direction");
        if (id < 1) {
            throw new IllegalArgumentException("rule id must be >= 1, got " + id);
        }
        return PREFIX + "-R" + letter(direction) + "-" + id;
    }

    /** The set holding exactly {@code content} (one entry a line, sorted): equal content, equal name. */
    static String setName(String content) {
        return SET_PREFIX + digest(content);
    }

    /** The temporary set used to refill {@code set}. */
    static String tempSetName(String set) {
        if (!set.startsWith(SET_PREFIX)) {
            throw new IllegalArgumentException("set " + set + " is not a policy set");
        }
        return TEMP_SET_PREFIX + set.substring(SET_PREFIX.length());
    }

    private static String letter(Direction direction) {
        return direction == Direction.INGRESS ? "I" : "E";
    }

    /** 16 base32 characters (80 bits) of SHA-256. */
    private static String digest(String content) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        StringBuilder out = new StringBuilder(16);
        for (int i = 0; i < 16; i++) {
            int bit = i * 5;
            int value = ((hash[bit / 8] & 0xff) << 8 | (hash[bit / 8 + 1] & 0xff)) >>> (11 - bit % 8) & 0x1f;
            out.append(BASE32[value]);
        }
        return out.toString().toUpperCase(Locale.ROOT);
    }
}
