package io.trellis.cni.testing;

import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.server.CniHandler;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** A CniHandler that records every request and answers as configured; default: ADD returns {@code result}. */
public final class FakeHandler implements CniHandler {
    public final List<CniRequest> requests = new CopyOnWriteArrayList<>();
    private volatile CniResult result;
    private volatile Function<CniRequest, CniError> failure = r -> null;

    public FakeHandler(CniResult result) {
        this.result = result;
    }

    /** Makes every request for which {@code f} returns non-null fail with that error. */
    public FakeHandler failWith(Function<CniRequest, CniError> f) {
        this.failure = f;
        return this;
    }

    public CniRequest last() {
        return requests.get(requests.size() - 1);
    }

    private void record(CniRequest r) throws CniException {
        requests.add(r);
        CniError e = failure.apply(r);
        if (e != null) {
            throw new CniException(e);
        }
    }

    @Override
    public CniResult add(CniRequest request) throws CniException {
        record(request);
        return result;
    }

    @Override
    public void del(CniRequest request) throws CniException {
        record(request);
    }

    @Override
    public void check(CniRequest request) throws CniException {
        record(request);
    }

    @Override
    public void status(CniRequest request) throws CniException {
        record(request);
    }

    @Override
    public void gc(CniRequest request) throws CniException {
        record(request);
    }
}
