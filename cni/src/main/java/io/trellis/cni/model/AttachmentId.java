package io.trellis.cni.model;

import static java.util.Objects.requireNonNull;

/**
 * An attachment as CNI keys it: (container id, interface name). GC's
 * {@code cni.dev/valid-attachments} lists these.
 */
public record AttachmentId(String containerId, String ifName) {
    public AttachmentId {
        requireNonNull(containerId, "containerId");
        requireNonNull(ifName, "ifName");
        if (containerId.isEmpty()) {
            throw new IllegalArgumentException("containerId must not be empty");
        }
        if (ifName.isEmpty()) {
            throw new IllegalArgumentException("ifName must not be empty");
        }
    }
}
