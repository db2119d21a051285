package io.trellis.lab.kubelet;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** How the lab names a pod's network namespace: {@code <prefix>-pod-<namespace>.<name>} (a namespace name has no dot). */
public final class PodNames {
    private static final int MAX_NETNS_NAME = 200;

    private PodNames() {
    }

    public static String netns(String labPrefix, String namespace, String name) {
        String plain = labPrefix + "-pod-" + namespace + "." + name;
        if (plain.length() <= MAX_NETNS_NAME) {
            return plain;
        }
        // A file name is at most 255 bytes; very long pod names get a stable digest instead.
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((namespace + "/" + name).getBytes(StandardCharsets.UTF_8));
            return labPrefix + "-pod-" + HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
