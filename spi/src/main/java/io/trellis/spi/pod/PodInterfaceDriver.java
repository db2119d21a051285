package io.trellis.spi.pod;

import io.trellis.spi.model.PodAttachment;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * Connects pod interfaces to the data plane: creates the pod's interface inside its network
 * namespace (addresses, routes, MTU, MAC) and plugs the other end into whatever forwards its
 * traffic (an OVS port with its flows, a Linux bridge port, host routes). Called by the agent for
 * CNI ADD, CHECK, DEL and GC, after IPAM on ADD and before IPAM release on DEL.
 *
 * <p>Threading: the agent may call the driver concurrently for different attachments, never
 * concurrently for the same attachment.
 *
 * <p>Errors: every method throws {@link PodInterfaceException} with a message naming the
 * attachment and the failed step; the agent reports it to the runtime as a CNI error. A failed
 * {@link #attach} leaves nothing behind that a later {@link #detach} could not remove.
 *
 * <p>Restarts: the driver keeps in its state directory what it needs to find its attachments
 * again; the data plane keeps forwarding while the agent is down.
 */
public interface PodInterfaceDriver {

    /**
     * Creates and connects the attachment's interface. Idempotent: when the attachment is already
     * connected as requested (a runtime may repeat ADD), returns the same interfaces.
     */
    PodInterfaces attach(PodInterfaceRequest request);

    /**
     * Verifies that the attachment is still as {@link #attach} left it (CNI CHECK): the interface
     * exists in the netns with the requested addresses, routes and MTU, and is connected to the
     * data plane. Throws {@link PodInterfaceException} describing the first difference found.
     */
    void check(PodInterfaceRequest request, PodInterfaces attached);

    /**
     * Disconnects and removes the attachment's interfaces and data-plane state. Idempotent, as
     * CNI DEL is: an unknown attachment, a netns that is gone ({@code netns} empty or no longer
     * existing) or an interface already removed is success, not an error.
     */
    void detach(PodAttachment attachment, Optional<Path> netns);

    /**
     * Detaches every attachment this driver holds that is not in {@code alive} (CNI GC, and the
     * agent's own sweep after a restart); returns the attachments it removed.
     */
    Set<PodAttachment> garbageCollect(Set<PodAttachment> alive);
}
