package io.trellis.agent.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.logging.Level;

/**
 * fabric8's mock API server in CRUD mode that can be stopped and started again on the same port
 * with the same objects, as a real API server comes back from an outage with its state. A second
 * listener on the same objects (the "side door", {@link #admin()}) lets a test change them while
 * the agent's port is down.
 */
final class RestartableApiServer implements AutoCloseable {
    private final KubernetesCrudDispatcher objects = new KubernetesCrudDispatcher();
    private final int port;
    private final MockWebServer sideDoor;
    private final KubernetesClient admin;
    private MockWebServer server;

    RestartableApiServer() {
        // MockWebServer logs one INFO line per request through java.util.logging.
        java.util.logging.Logger.getLogger(MockWebServer.class.getName()).setLevel(Level.WARNING);
        server = listen(0);
        port = server.getPort();
        sideDoor = listen(0);
        admin = client(sideDoor.getPort());
    }

    private MockWebServer listen(int onPort) {
        MockWebServer s = new MockWebServer();
        s.setDispatcher(objects);
        s.start(InetAddress.getLoopbackAddress(), onPort);
        return s;
    }

    private static KubernetesClient client(int port) {
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + port).build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** A new client of the restartable port, as the agent has one; the caller closes it. */
    KubernetesClient newClient() {
        return client(port);
    }

    /** A client that reaches the objects also while the server is stopped. */
    KubernetesClient admin() {
        return admin;
    }

    /** Stops listening on the port (connections refused, open watches closed); the objects stay. */
    synchronized void stop() {
        server.shutdown();
    }

    /** Listens on the same port again, with the objects as they are now. */
    synchronized void restart() {
        server = listen(port);
    }

    static Pod pod(String namespace, String name, String nodeName) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(nodeName).endSpec().build();
    }

    @Override
    public synchronized void close() {
        admin.close();
        server.shutdown();
        sideDoor.shutdown();
    }
}
