package io.trellis.agent.testing;

import io.trellis.spi.BackendContext;
import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.ipam.IpamDriver;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.node.NodeInfo;
import io.trellis.spi.node.NodeRouteDriver;
import io.trellis.spi.pod.PodInterfaceDriver;
import io.trellis.spi.pod.PodInterfaceRequest;
import io.trellis.spi.pod.PodInterfaces;
import io.trellis.spi.policy.NetworkPolicyRules;
import io.trellis.spi.policy.PolicyEnforcer;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceProxy;
import io.trellis.spi.service.ServiceRef;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;

/**
 * Drivers that only remember the context they were made with: the wiring tests check which
 * backend's factory made which driver, not what drivers do.
 */
public final class StubDrivers {

    private StubDrivers() {
    }

    /** What every stub exposes: the context its factory received, and whether it was closed. */
    public interface Made {
        BackendContext context();

        boolean closed();
    }

    abstract static class Base implements Made, AutoCloseable {
        private final BackendContext context;
        private volatile boolean closed;

        Base(BackendContext context) {
            this.context = context;
        }

        @Override
        public BackendContext context() {
            return context;
        }

        @Override
        public boolean closed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }

        static UnsupportedOperationException unused() {
            return new UnsupportedOperationException("stub driver: only its construction is under test");
        }
    }

    public static final class Ipam extends Base implements IpamDriver {
        public Ipam(BackendContext context) {
            super(context);
        }

        @Override
        public IpamAllocation allocate(PodAttachment attachment) {
            throw unused();
        }

        @Override
        public Optional<IpamAllocation> get(PodAttachment attachment) {
            throw unused();
        }

        @Override
        public void release(PodAttachment attachment) {
            throw unused();
        }

        @Override
        public Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
            throw unused();
        }
    }

    /** One object serving two concerns, as a real backend sharing its bridge connection would. */
    public static final class PodAndRoutes extends Base implements PodInterfaceDriver, NodeRouteDriver {
        public PodAndRoutes(BackendContext context) {
            super(context);
        }

        @Override
        public PodInterfaces attach(PodInterfaceRequest request) {
            throw unused();
        }

        @Override
        public void check(PodInterfaceRequest request, PodInterfaces attached) {
            throw unused();
        }

        @Override
        public void detach(PodAttachment attachment, Optional<Path> netns) {
            throw unused();
        }

        @Override
        public Set<PodAttachment> garbageCollect(Set<PodAttachment> alive) {
            throw unused();
        }

        @Override
        public int encapsulationOverhead() {
            throw unused();
        }

        @Override
        public void localNode(NodeInfo local) {
            throw unused();
        }

        @Override
        public void replaceAll(Collection<NodeInfo> remotes) {
            throw unused();
        }

        @Override
        public void upsertNode(NodeInfo remote) {
            throw unused();
        }

        @Override
        public void removeNode(String nodeName) {
            throw unused();
        }
    }

    public static final class Proxy extends Base implements ServiceProxy {
        public Proxy(BackendContext context) {
            super(context);
        }

        @Override
        public void replaceAll(Collection<Service> services) {
            throw unused();
        }

        @Override
        public void upsert(Service service) {
            throw unused();
        }

        @Override
        public void remove(ServiceRef ref) {
            throw unused();
        }
    }

    public static final class Policy extends Base implements PolicyEnforcer {
        public Policy(BackendContext context) {
            super(context);
        }

        @Override
        public void replaceAll(Collection<NetworkPolicyRules> policies) {
            throw unused();
        }

        @Override
        public void upsert(NetworkPolicyRules policy) {
            throw unused();
        }

        @Override
        public void remove(PolicyRef ref) {
            throw unused();
        }
    }
}
