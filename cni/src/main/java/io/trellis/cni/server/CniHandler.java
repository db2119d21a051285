package io.trellis.cni.server;

import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.spec.CniException;

/**
 * What the agent does for each CNI command; {@link CniServer} calls it for every request the
 * executable forwards. Calls for different attachments may run concurrently; the runtime never
 * runs two commands for the same container at once (SPEC.md).
 *
 * <p>Throw {@link CniException} to choose the error the runtime sees (for example
 * {@code CniError.TRY_AGAIN_LATER} while the agent is still synchronising); any other exception
 * becomes error 100 with its message.
 */
public interface CniHandler {
    /**
     * Attaches the container: creates its interface(s), addresses and routes. Returns only what
     * this plugin created; the executable appends it to a chained {@code prevResult} itself.
     */
    CniResult add(CniRequest request) throws CniException;

    /**
     * Releases everything held for the attachment. Must succeed when there is nothing to release
     * (no record, a second DEL) and when the netns is gone; may throw error 3 (unknown container),
     * which the executable reports to the runtime as success.
     */
    void del(CniRequest request) throws CniException;

    /** Verifies the attachment still matches {@code request.prevResult()}; throws when it does not. */
    void check(CniRequest request) throws CniException;

    /**
     * Whether ADD can be served now (CNI 1.1.0 STATUS). The default says yes; throw error 50 (not
     * available) or 51 (not available, existing pods degraded) otherwise.
     */
    default void status(CniRequest request) throws CniException {
    }

    /** Releases every attachment of {@code request.network()} not in {@code request.validAttachments()}. */
    void gc(CniRequest request) throws CniException;
}
