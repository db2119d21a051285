package io.trellis.agent.interfacestore;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.pod.PodInterfaces;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What the agent remembers of one attachment between CNI calls and across restarts: the pod it
 * belongs to (GC's valid-attachment list and a DEL without CNI_ARGS carry only the CNI key), its
 * netns and, once the pod interface driver connected it, the interfaces it made (CHECK verifies
 * against them).
 *
 * @param attachment the attachment, keyed by container id and interface name
 * @param netns      the netns path the runtime gave on ADD
 * @param interfaces what {@link io.trellis.spi.pod.PodInterfaceDriver#attach} returned; empty while
 *                   ADD is in progress (the record is written before IPAM allocates, so that a
 *                   crash in between leaves a record GC can clean up after)
 */
public record AttachmentRecord(PodAttachment attachment, Path netns, Optional<PodInterfaces> interfaces) {
    public AttachmentRecord {
        requireNonNull(attachment, "attachment");
        requireNonNull(netns, "netns");
        requireNonNull(interfaces, "interfaces");
    }

    /** A record of an ADD that has not connected the interface yet. */
    public static AttachmentRecord pending(PodAttachment attachment, Path netns) {
        return new AttachmentRecord(attachment, netns, Optional.empty());
    }

    public AttachmentRecord connected(PodInterfaces made) {
        return new AttachmentRecord(attachment, netns, Optional.of(made));
    }

    public AttachmentKey key() {
        return AttachmentKey.of(attachment);
    }
}
