package io.trellis.agent.interfacestore;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodAttachment;

/** How CNI identifies an attachment (SPEC.md: container id and interface name); the pod is not part of the key. */
public record AttachmentKey(String containerId, String ifName) {
    public AttachmentKey {
        requireNonNull(containerId, "containerId");
        requireNonNull(ifName, "ifName");
        if (containerId.isEmpty() || ifName.isEmpty()) {
            throw new IllegalArgumentException("an attachment key needs a container id and an interface name, got '"
                    + containerId + "' '" + ifName + "'");
        }
    }

    public static AttachmentKey of(PodAttachment attachment) {
        return new AttachmentKey(attachment.containerId(), attachment.ifName());
    }

    @Override
    public String toString() {
        return containerId + "/" + ifName;
    }
}
