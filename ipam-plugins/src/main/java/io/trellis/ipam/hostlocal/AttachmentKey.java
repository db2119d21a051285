package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodAttachment;

/** What identifies an allocation: the CNI attachment key (container id, interface name); the pod is carried along only. */
public record AttachmentKey(String containerId, String ifName) {
    public AttachmentKey {
        requireNonNull(containerId, "containerId");
        requireNonNull(ifName, "ifName");
    }

    public static AttachmentKey of(PodAttachment attachment) {
        return new AttachmentKey(attachment.containerId(), attachment.ifName());
    }

    @Override
    public String toString() {
        return containerId + "/" + ifName;
    }
}
