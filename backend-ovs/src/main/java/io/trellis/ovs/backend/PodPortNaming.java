package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names and addresses derived from an attachment, so that a repeated ADD, a DEL after an agent
 * restart and a GC all find the same objects without any other record.
 */
public final class PodPortNaming {

    /** Prefix of every pod host interface (the OVS port) this backend creates. */
    public static final String HOST_PREFIX = "tr";
    /** Hex digits of the attachment hash in the host interface name: "tr" + 12 = 14 characters (IFNAMSIZ is 16). */
    static final int HASH_DIGITS = 12;

    private PodPortNaming() {
    }

    /**
     * The host end of the attachment's veth pair, which is also its OVS port and interface name:
     * {@code tr} and the first 48 bits of SHA-256 over {@code containerId/ifName} in hex. CNI
     * identifies an attachment by exactly those two values, so DEL finds the port from them alone.
     */
    public static String hostInterface(PodAttachment attachment) {
        requireNonNull(attachment, "attachment");
        byte[] digest = sha256(attachment.containerId() + "/" + attachment.ifName());
        return HOST_PREFIX + HexFormat.of().formatHex(digest).substring(0, HASH_DIGITS);
    }

    /**
     * The MAC a pod interface gets when the runtime asked for none: {@code 0a:58} and the four bytes
     * of its IPv4 address. 0x0a has the locally-administered bit set and the group bit clear, and an
     * IP is unique in the cluster, so the MAC is too; a pod that gets an IP back after a restart
     * also gets the same MAC, so peers' ARP caches stay right.
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
