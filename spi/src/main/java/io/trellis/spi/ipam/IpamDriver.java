package io.trellis.spi.ipam;

import io.trellis.spi.model.PodAttachment;
import java.util.Optional;
import java.util.Set;

/**
 * Allocates pod addresses on one node. Implementations keep their state crash-safe: an address
 * handed out is never handed out again to another attachment until it is released, even across
 * agent restarts.
 */
public interface IpamDriver {

    /**
     * Allocates addresses for an attachment, or returns the ones it already holds (a runtime may
     * repeat ADD). Throws {@link IpamException} when the range is exhausted.
     */
    IpamAllocation allocate(PodAttachment attachment);

    /** The addresses the attachment holds, if any. */
    Optional<IpamAllocation> get(PodAttachment attachment);

    /** Releases the attachment's addresses; releasing an unknown attachment is not an error (CNI DEL is idempotent). */
    void release(PodAttachment attachment);

    /** Releases every allocation whose attachment is not in {@code alive}; returns what was released. */
    Set<PodAttachment> garbageCollect(Set<PodAttachment> alive);
}
