package io.trellis.iptables.bridge;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names and addresses derived from an attachment alone, so that a repeated ADD, a DEL after an agent
 * restart and a GC all find the same host interface.
 */
public final class HostVethNaming {

    /** Prefix of every pod host interface this backend creates (the ovs backend's are "tr..."). */
    public static final String HOST_PREFIX = "tb";
    /** Hex digits of the attachment hash: "tb" + 12 = 14 characters, within IFNAMSIZ - 1 = 15. */
    static final int HASH_DIGITS = 12;

    private HostVethNaming() {
    }

    /**
     * The host end of the attachment's veth pair: {@code tb} and the first 48 bits of SHA-256 over
     * {@code containerId/ifName} in hex; CNI identifies an attachment by exactly these two values.
     */
    public static String hostInterface(PodAttachment attachment) {
        requireNonNull(attachment, "attachment");
        byte[] digest = sha256(attachment.containerId() + "/" + attachment.ifName());
        return HOST_PREFIX + HexFormat.of().formatHex(digest).substring(0, HASH_DIGITS);
    }

    /** Whether {@code name} has the form of {@link #hostInterface} (so it is one of ours). */
    public static boolean isHostInterface(String name) {
        return name.length() == HOST_PREFIX.length() + HASH_DIGITS && name.startsWith(HOST_PREFIX)
                && name.substring(HOST_PREFIX.length()).chars().allMatch(c -> Character.digit(c, 16) >= 0
                        && !Character.isUpperCase(c));
    }

    /**
     * The MAC of an interface holding {@code address} when nobody asked for another: {@code 0a:58} and
     * the four address bytes (locally administered, unicast). The pod keeps its MAC when it gets its
     * IP back, so neighbours' ARP caches stay right; the ovs backend derives its MACs the same way.
     */
    public static MacAddress macFor(Inet4Address address) {
        byte[] ip = requireNonNull(address, "address").getAddress();
        return MacAddress.of(new byte[] {0x0a, 0x58, ip[0], ip[1], ip[2], ip[3]});
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
