package io.trellis.agent;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.backend.BackendsModule;
import io.trellis.agent.backend.ConfiguredBackends;
import io.trellis.agent.backend.NodeFacts;
import io.trellis.agent.cniserver.AgentCniHandler;
import io.trellis.agent.cniserver.ReadinessGate;
import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.AgentConfigLoader;
import io.trellis.agent.config.ConfigException;
import io.trellis.agent.config.PodCidrSource;
import io.trellis.agent.interfacestore.AttachmentStore;
import io.trellis.agent.k8s.KubernetesClients;
import io.trellis.agent.k8s.NodeReader;
import io.trellis.agent.k8s.NodeRouteSync;
import io.trellis.agent.k8s.ObservedNode;
import io.trellis.agent.k8s.PodAttachmentGc;
import io.trellis.agent.k8s.ServiceSync;
import io.trellis.agent.node.MtuResolver;
import io.trellis.agent.node.NetlinkUplinkFinder;
import io.trellis.agent.node.PodMtu;
import io.trellis.agent.node.UplinkFinder;
import io.trellis.agent.policy.PolicyAgent;
import io.trellis.cni.server.CniServer;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.node.NodeInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Trellis node agent. Start-up, in order:
 * <ol>
 *   <li>load and validate the configuration (every problem reported at once, exit code 2);</li>
 *   <li>serve the CNI socket ({@code paths.cniSocket}) at once, answering "try again later"
 *       (STATUS: "not available") until ready;</li>
 *   <li>resolve the node: its name from {@code nodeName}, the Node object (waiting for it and, with
 *       {@code podCidr: node-spec}, for its pod CIDRs);</li>
 *   <li>create the configured backends' drivers and tell the node route driver about this node;
 *       keep the node route driver and the Service proxy in step with Nodes, Services and
 *       EndpointSlices ({@link NodeRouteSync}, {@link ServiceSync}); with a policy enforcer, watch the
 *       controller's NetworkPolicy stream ({@link PolicyAgent}) and wait for its first snapshot to be
 *       enforced;</li>
 *   <li>resolve the pod MTU, open the attachment store, open the CNI handler: "ready".</li>
 * </ol>
 * SIGTERM closes the CNI server and the drivers; the data plane stays as it is.
 */
public final class TrellisAgent {
    private static final Logger LOG = LoggerFactory.getLogger(TrellisAgent.class);
    static final int EXIT_FATAL = 1;
    static final int EXIT_CONFIG = 2;
    static final Duration NODE_POLL = Duration.ofSeconds(1);
    /** How often the node route driver gets every Node again (events update it in between). */
    static final Duration NODE_ROUTE_RESYNC = Duration.ofSeconds(60);
    /** How often the Service proxy gets every Service again (events update it in between). */
    static final Duration SERVICE_RESYNC = Duration.ofSeconds(60);
    /** How long a pod must be gone before the agent releases its attachment itself (the runtime's DEL comes first). */
    static final Duration POD_GC_GRACE = Duration.ofSeconds(60);

    private final AgentOptions options;
    private final BackendRegistry registry;
    private final KubernetesClient client;
    private final UplinkFinder uplinks;
    private final Map<String, String> environment;
    private final Supplier<String> hostname;
    private final Duration nodePoll;

    /**
     * @param registry    the backends to choose from (production: {@link BackendRegistry#discover})
     * @param client      the API client; the caller owns and closes it
     * @param uplinks     finds the uplink for {@code network.mtu: auto}
     * @param environment for {@code nodeName.from: env}
     * @param hostname    for {@code nodeName.from: hostname}
     * @param nodePoll    how often to re-read the Node while waiting for it
     */
    public TrellisAgent(AgentOptions options, BackendRegistry registry, KubernetesClient client, UplinkFinder uplinks,
                        Map<String, String> environment, Supplier<String> hostname, Duration nodePoll) {
        this.options = requireNonNull(options, "options");
        this.registry = requireNonNull(registry, "registry");
        this.client = requireNonNull(client, "client");
        this.uplinks = requireNonNull(uplinks, "uplinks");
        this.environment = Map.copyOf(requireNonNull(environment, "environment"));
        this.hostname = requireNonNull(hostname, "hostname");
        this.nodePoll = requireNonNull(nodePoll, "nodePoll");
    }

    /**
     * Starts the agent and returns once it serves CNI requests for real. Throws
     * {@link ConfigException} for an invalid configuration or backend settings, and another
     * runtime exception (closing what it had started) for anything else that stops the start.
     */
    public RunningAgent start() throws InterruptedException {
        AgentConfig config = new AgentConfigLoader(registry).load(options.config());
        ReadinessGate gate = new ReadinessGate();
        CniServer server;
        try {
            server = CniServer.start(CniServer.Config.at(config.paths().cniSocket()), gate);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the CNI socket " + config.paths().cniSocket() + ": "
                    + e.getMessage(), e);
        }
        ConfiguredBackends backends = null;
        NodeRouteSync nodeRoutes = null;
        ServiceSync services = null;
        PodAttachmentGc podGc = null;
        PolicyAgent policy = null;
        try {
            String nodeName = config.nodeName().resolve(environment, hostname);
            boolean fromNodeSpec = config.network().podCidr() instanceof PodCidrSource.NodeSpec;
            gate.waitingFor(fromNodeSpec ? "waiting for Node " + nodeName + " and its spec.podCIDRs"
                    : "waiting for Node " + nodeName);
            ObservedNode observed = new NodeReader(client, nodePoll).await(nodeName, fromNodeSpec, options.nodeTimeout());
            NodeFacts node = NodeFacts.resolve(config, environment, hostname, observed::podCidrs);
            LOG.info("node {}: pod CIDRs {}, internal IPs {}", node.nodeName(), node.podCidrs(),
                    observed.internalIps().stream().map(InetAddress::getHostAddress).toList());

            gate.waitingFor("creating the backends");
            backends = ConfiguredBackends.create(config, registry, node);
            if (backends.nodeRoutes().isPresent()) {
                if (observed.internalIps().isEmpty()) {
                    throw new IllegalStateException("Node " + nodeName + " has no InternalIP in status.addresses; the "
                            + "node route backend needs one as its tunnel endpoint or next hop");
                }
                backends.nodeRoutes().get().localNode(new NodeInfo(nodeName, observed.internalIps(), node.podCidrs()));
            }
            if (backends.policy().isPresent()) {
                // Started first so that the snapshot comes while the Nodes and Services are listed.
                policy = PolicyAgent.start(config.controller().orElseThrow(() -> new IllegalStateException(
                        "backends.policy is set but the controller section is missing")), nodeName,
                        backends.policy().get());
            }
            if (backends.nodeRoutes().isPresent()) {
                gate.waitingFor("listing the Nodes for the node routes");
                nodeRoutes = new NodeRouteSync(client, nodeName, backends.nodeRoutes().get(), NODE_ROUTE_RESYNC);
                nodeRoutes.start(options.nodeTimeout());
            }
            if (backends.serviceProxy().isPresent()) {
                gate.waitingFor("listing Services and EndpointSlices for the Service proxy");
                services = new ServiceSync(client, backends.serviceProxy().get(), SERVICE_RESYNC,
                        ServiceSync.DEFAULT_BATCH_DELAY);
                services.start(options.nodeTimeout());
            }
            if (policy != null) {
                // New pods wait (CNI "try again later") until the policies are enforced: a pod a policy
                // isolates must not start reachable by everyone. Pods already running keep what the
                // enforcer holds from before this start until the snapshot replaces it.
                String controller = config.controller().orElseThrow().address().toString();
                gate.waitingFor("waiting for the NetworkPolicies of this node from the controller " + controller);
                if (!policy.awaitFirstSnapshot(options.nodeTimeout())) {
                    throw new IllegalStateException("no NetworkPolicy snapshot from the controller " + controller
                            + " enforced within " + options.nodeTimeout().toSeconds() + " s (see the policy stream "
                            + "warnings above); new pods are not attached before the policies are enforced");
                }
            }
            PodMtu mtu = new MtuResolver(uplinks).resolve(config.network().mtu(), backends.nodeRoutes(),
                    observed.internalIps());
            AttachmentStore store = AttachmentStore.open(config.paths().stateDir().resolve("attachments"));
            Injector injector = Guice.createInjector(new BackendsModule(backends), new AgentModule(store, mtu));
            AgentCniHandler handler = injector.getInstance(AgentCniHandler.class);
            gate.open(handler);
            podGc = new PodAttachmentGc(client, nodeName, store, handler::releaseOrphan, POD_GC_GRACE);
            podGc.start();
            LOG.info("ready: node {}, pod CIDRs {}, pod MTU {}, {} known attachment(s), CNI socket {}", node.nodeName(),
                    node.podCidrs(), mtu.value(), store.all().size(), server.socketPath());
            return new RunningAgent(server, backends, Optional.ofNullable(nodeRoutes), Optional.ofNullable(services),
                    Optional.ofNullable(policy), podGc, node, mtu, store);
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            if (podGc != null) {
                podGc.close();
            }
            if (nodeRoutes != null) {
                nodeRoutes.close();
            }
            if (services != null) {
                services.close();
            }
            if (policy != null) {
                policy.close();
            }
            if (backends != null) {
                backends.close();
            }
            throw e;
        }
    }

    public static void main(String[] args) {
        int code = run(args, System.getenv(), System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the agent until SIGTERM (or SIGINT); returns the exit code: 0 after an orderly stop,
     * {@link #EXIT_CONFIG} for bad arguments or configuration, {@link #EXIT_FATAL} when start-up
     * failed. A signal during start-up (e.g. while waiting for the pod CIDR) stops it cleanly too.
     */
    static int run(String[] args, Map<String, String> environment, PrintStream err) {
        AgentOptions options;
        try {
            options = AgentOptions.parse(args, environment);
        } catch (IllegalArgumentException e) {
            err.println("trellis-agent: " + e.getMessage());
            return EXIT_CONFIG;
        }
        if (options.uninstall()) {
            return uninstall(options, err);
        }
        KubernetesClient client;
        BackendRegistry registry;
        try {
            registry = BackendRegistry.discover(TrellisAgent.class.getClassLoader());
            client = KubernetesClients.create(options.kubeconfig());
        } catch (RuntimeException e) {
            err.println("trellis-agent: " + e.getMessage());
            return EXIT_FATAL;
        }
        Thread main = Thread.currentThread();
        AtomicBoolean stopping = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        // The JVM runs this on SIGTERM/SIGINT: wake the main thread, which closes everything, and
        // hold the JVM until it has.
        Thread hook = new Thread(() -> {
            stopping.set(true);
            LOG.info("stop requested");
            main.interrupt();
            try {
                finished.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trellis-agent-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (KubernetesClient owned = client) {
            RunningAgent running = new TrellisAgent(options, registry, owned, new NetlinkUplinkFinder(Syscalls.system()),
                    environment, TrellisAgent::localHostname, NODE_POLL).start();
            try (running) {
                new CountDownLatch(1).await();   // until the hook interrupts
            } catch (InterruptedException e) {
                // stop requested
            }
            return 0;
        } catch (InterruptedException e) {
            return 0;   // stopped by a signal while starting; start() closed what it had opened
        } catch (ConfigException e) {
            err.println("trellis-agent: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (RuntimeException e) {
            LOG.error("start-up failed", e);
            err.println("trellis-agent: start-up failed: " + e.getMessage());
            return EXIT_FATAL;
        } finally {
            finished.countDown();
            if (!stopping.get()) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is already stopping: the hook has been started
                }
            }
        }
    }

    private static int uninstall(AgentOptions options, PrintStream err) {
        try {
            List<String> failed = new NodeUninstaller(BackendRegistry.discover(TrellisAgent.class.getClassLoader()))
                    .uninstall(options.config());
            if (failed.isEmpty()) {
                return 0;
            }
            err.println("trellis-agent: uninstall incomplete: " + String.join("; ", failed));
            return EXIT_FATAL;
        } catch (ConfigException e) {
            err.println("trellis-agent: " + e.getMessage());
            return EXIT_CONFIG;
        } catch (RuntimeException e) {
            err.println("trellis-agent: uninstall failed: " + e.getMessage());
            return EXIT_FATAL;
        }
    }

    private static String localHostname() {
        // The kernel's host name, as the kubelet reads it (no DNS lookup, unlike InetAddress.getLocalHost).
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the host name: " + e.getMessage(), e);
        }
    }
}
