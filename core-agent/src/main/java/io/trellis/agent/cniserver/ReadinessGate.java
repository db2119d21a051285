package io.trellis.agent.cniserver;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.server.CniHandler;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The handler the CNI socket serves from the moment the agent starts: until {@link #open} hands
 * it the real handler (node facts resolved, backends created), STATUS answers 50 "not available"
 * and every other command 11 "try again later", so that the runtime retries instead of failing
 * the pod; kubelet learns from STATUS (CNI 1.1.0) that the network is not ready yet.
 */
public final class ReadinessGate implements CniHandler {
    private final AtomicReference<CniHandler> delegate = new AtomicReference<>();
    private volatile String waitingFor = "the agent is starting";

    /** Says what the agent is waiting for, for the error message (e.g. "waiting for the Node's podCIDR"). */
    public void waitingFor(String reason) {
        waitingFor = requireNonNull(reason, "reason");
    }

    /** Serves every later request with {@code handler}. */
    public void open(CniHandler handler) {
        requireNonNull(handler, "handler");
        if (!delegate.compareAndSet(null, handler)) {
            throw new IllegalStateException("the CNI handler is already open");
        }
    }

    public boolean isOpen() {
        return delegate.get() != null;
    }

    @Override
    public CniResult add(CniRequest request) throws CniException {
        return ready().add(request);
    }

    @Override
    public void del(CniRequest request) throws CniException {
        ready().del(request);
    }

    @Override
    public void check(CniRequest request) throws CniException {
        ready().check(request);
    }

    @Override
    public void gc(CniRequest request) throws CniException {
        ready().gc(request);
    }

    @Override
    public void status(CniRequest request) throws CniException {
        CniHandler handler = delegate.get();
        if (handler == null) {
            throw new CniException(CniError.NOT_AVAILABLE, "Trellis agent not ready: " + waitingFor);
        }
        handler.status(request);
    }

    private CniHandler ready() throws CniException {
        CniHandler handler = delegate.get();
        if (handler == null) {
            throw new CniException(CniError.TRY_AGAIN_LATER, "Trellis agent not ready: " + waitingFor);
        }
        return handler;
    }
}
