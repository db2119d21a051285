package io.trellis.e2e;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.logging.Level;

/**
 * The Kubernetes API stand-in of one test node, as its own process: fabric8's mock server in CRUD
 * mode on 127.0.0.1 holding the node's Node object (pod CIDR, InternalIP). It is started inside the
 * node's network namespace, where the agent runs, because a loopback address only reaches its own
 * namespace.
 *
 * <pre>java io.trellis.e2e.ApiStandIn NODE_NAME POD_CIDR INTERNAL_IP</pre>
 *
 * Prints {@code listening http://127.0.0.1:PORT} once the Node exists, and exits when its stdin
 * closes, so it never outlives the harness that started it (even one killed with SIGKILL).
 */
public final class ApiStandIn {
    static final String READY_PREFIX = "listening ";

    private ApiStandIn() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ApiStandIn NODE_NAME POD_CIDR INTERNAL_IP");
            System.exit(2);
        }
        // MockWebServer logs one INFO line per request through java.util.logging.
        java.util.logging.Logger requestLog = java.util.logging.Logger.getLogger(MockWebServer.class.getName());
        requestLog.setLevel(Level.WARNING);
        MockWebServer server = new MockWebServer();
        server.setDispatcher(new KubernetesCrudDispatcher());
        server.start(InetAddress.getLoopbackAddress(), 0);
        String url = "http://127.0.0.1:" + server.getPort();
        // MockWebServer queues every request for inspection: drain it.
        Thread drainer = new Thread(() -> {
            try {
                while (true) {
                    server.takeRequest();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "request-drainer");
        drainer.setDaemon(true);
        drainer.start();

        Node node = new NodeBuilder().withNewMetadata().withName(args[0]).endMetadata()
                .withNewSpec().withPodCIDRs(List.of(args[1])).endSpec()
                .withNewStatus().withAddresses(new NodeAddress(args[2], "InternalIP")).endStatus().build();
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(url).build();
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            client.nodes().resource(node).create();
        }
        System.out.println(READY_PREFIX + url);
        System.out.flush();

        InputStream in = System.in;
        while (in.read() >= 0) {
            // the harness never writes; EOF means it is gone
        }
        server.shutdown();
        System.exit(0);
    }
}
