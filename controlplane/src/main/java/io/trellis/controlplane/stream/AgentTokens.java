package io.trellis.controlplane.stream;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The per-agent credential: {@code token = hex(HMAC-SHA256(key = controller secret, message = node
 * name))} (RFC 2104). The controller derives every node's token from one secret, so it stores no
 * per-node state, and a token is worth exactly one node's span.
 */
public final class AgentTokens {
    private AgentTokens() {
    }

    /** Lowercase hex HMAC-SHA256 of the UTF-8 node name under {@code secret}. */
    public static String tokenFor(byte[] secret, String nodeName) {
        requireNonNull(secret, "secret");
        requireNonNull(nodeName, "nodeName");
        if (secret.length == 0) {
            throw new IllegalArgumentException("the agent token secret is empty");
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(nodeName.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            // HmacSHA256 is required of every Java platform.
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Whether {@code presented} is {@code nodeName}'s token, compared in constant time. */
    public static boolean matches(byte[] secret, String nodeName, String presented) {
        byte[] expected = tokenFor(secret, nodeName).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The secret file's bytes with leading and trailing ASCII white space removed (a trailing newline
     * from {@code echo} or a Secret volume must not change every token).
     */
    public static byte[] readSecret(Path file) {
        byte[] raw;
        try {
            raw = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the agent token secret " + file + ": " + e.getMessage(), e);
        }
        int start = 0;
        int end = raw.length;
        while (start < end && isSpace(raw[start])) {
            start++;
        }
        while (end > start && isSpace(raw[end - 1])) {
            end--;
        }
        if (start == end) {
            throw new IllegalArgumentException("the agent token secret " + file + " is empty");
        }
        return java.util.Arrays.copyOfRange(raw, start, end);
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
