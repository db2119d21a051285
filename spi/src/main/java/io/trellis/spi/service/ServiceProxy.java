package io.trellis.spi.service;

import java.util.Collection;

/**
 * Load-balances connections to a Service's cluster IP and ports (and node ports) over its ready
 * endpoints (or its serving-and-terminating ones while none is ready, see {@link ServiceEndpoint}),
 * with connection tracking so that one connection stays on one endpoint and replies are
 * translated back. Fed by the agent from Services and EndpointSlices.
 *
 * <p>Threading: the agent calls the proxy from one thread at a time, in event order.
 *
 * <p>Errors: methods throw {@link ServiceProxyException}; the agent then calls {@link #replaceAll}
 * later with the full set, so a proxy recovers from partial state by converging to it.
 *
 * <p>Idempotence: each call states the desired end state for the Services it names; repeating it
 * changes nothing. Existing connections to an endpoint that is still present must survive an
 * update of its Service.
 */
public interface ServiceProxy {

    /** The complete set of Services (at start and after a resync): Services not listed are removed. */
    void replaceAll(Collection<Service> services);

    /** One Service or its endpoints changed, or it was created. */
    void upsert(Service service);

    /** One Service was deleted; removing an unknown Service is not an error. */
    void remove(ServiceRef ref);
}
