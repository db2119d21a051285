package io.trellis.spi.model;

import static java.util.Objects.requireNonNull;

/**
 * One network attachment of one pod sandbox: the key every backend uses for a pod's resources.
 * The CNI spec identifies an attachment by (container id, interface name); the pod reference
 * is carried along for logs and garbage collection.
 */
public record PodAttachment(String containerId, String ifName, PodRef pod) {
    public PodAttachment {
        requireNonNull(containerId, "containerId");
        requireNonNull(ifName, "ifName");
        requireNonNull(pod, "pod");
        if (containerId.isEmpty()) {
            throw new IllegalArgumentException("containerId must not be empty");
        }
        if (ifName.isEmpty() || ifName.length() > 15) {
            throw new IllegalArgumentException("ifName must be 1..15 characters, got '" + ifName + "'");
        }
    }
}
