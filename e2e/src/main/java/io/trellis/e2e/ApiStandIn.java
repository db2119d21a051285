package io.trellis.e2e;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.regex.Pattern;

/**
 * The Kubernetes API stand-in of one test node, as its own process: fabric8's mock server in CRUD
 * mode on 127.0.0.1 holding the node's Node object (pod CIDR, InternalIP). It is started inside the
 * node's network namespace, where the agent runs, because a loopback address only reaches its own
 * namespace.
 *
 * <pre>java io.trellis.e2e.ApiStandIn NODE_NAME POD_CIDR INTERNAL_IP</pre>
 *
 * Prints {@code listening http://127.0.0.1:PORT} once the Node exists, then reads commands from
 * stdin, one a line, answering each with one line, {@code ok} or {@code error: ...}:
 * <ul>
 *   <li>{@code stop}: stops listening (connections refused, watches cut); the objects stay;</li>
 *   <li>{@code start}: listens on the same port again with the same objects, as an API server
 *       comes back from an outage;</li>
 *   <li>{@code node NAME POD_CIDR INTERNAL_IP}, {@code delete-node NAME}: another Node;</li>
 *   <li>{@code pod NAMESPACE NAME} (unless it exists), {@code delete-pod NAMESPACE NAME}: a Pod bound to
 *       this node;</li>
 *   <li>{@code service NAMESPACE NAME CLUSTER_IP PORT_NAME PORT TARGET_PORT}: a TCP ClusterIP Service
 *       with one port (TARGET_PORT a number or a port name), created or replaced;
 *       {@code delete-service NAMESPACE NAME};</li>
 *   <li>{@code slice NAMESPACE NAME SERVICE PORT_NAME PORT [IP...]}: an IPv4 EndpointSlice of the Service
 *       with one TCP port and a ready endpoint per IP, created or updated in place (one watch event);
 *       {@code delete-slice NAMESPACE NAME}.</li>
 * </ul>
 * These stand in for what the control plane does for Services (ClusterIP allocation, the
 * EndpointSlice controller): the test says what they would have written.
 * Object commands work while stopped too (through a second listener). It exits when its stdin
 * closes, so it never outlives the harness that started it (even one killed with SIGKILL).
 *
 * <p>The mock cannot evaluate a {@code spec.nodeName} field selector (it would match nothing);
 * since every Pod here is bound to this one node, such a selector is dropped from the request.
 */
public final class ApiStandIn {
    static final String READY_PREFIX = "listening ";
    private static final Pattern NODE_NAME_SELECTOR = Pattern.compile("&?fieldSelector=spec\\.nodeName(%3D|=)[^&]*");

    private final String nodeName;
    private final Dispatcher dispatcher;
    private final int port;
    private final KubernetesClient admin;
    private MockWebServer server;

    private ApiStandIn(String nodeName) {
        this.nodeName = nodeName;
        KubernetesCrudDispatcher objects = new KubernetesCrudDispatcher();
        this.dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getPath();
                if (path.contains("fieldSelector=spec.nodeName")) {
                    String stripped = NODE_NAME_SELECTOR.matcher(path).replaceAll("").replace("?&", "?");
                    request = new RecordedRequest(request.getHttpVersion(), request.method(),
                            stripped.endsWith("?") ? stripped.substring(0, stripped.length() - 1) : stripped,
                            request.getHeaders(), request.getBody());
                }
                return objects.dispatch(request);
            }
        };
        this.server = listen(0);
        this.port = server.getPort();
        // The side door: a second listener on the same objects, for the commands while stopped.
        MockWebServer sideDoor = listen(0);
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl("http://127.0.0.1:" + sideDoor.getPort()).build();
        this.admin = new KubernetesClientBuilder().withConfig(config).build();
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: ApiStandIn NODE_NAME POD_CIDR INTERNAL_IP");
            System.exit(2);
        }
        // MockWebServer logs one INFO line per request through java.util.logging.
        java.util.logging.Logger requestLog = java.util.logging.Logger.getLogger(MockWebServer.class.getName());
        requestLog.setLevel(Level.WARNING);
        ApiStandIn standIn = new ApiStandIn(args[0]);
        standIn.createNode(args[0], args[1], args[2]);
        System.out.println(READY_PREFIX + "http://127.0.0.1:" + standIn.port);
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {   // EOF: the harness is gone
            String answer;
            try {
                answer = standIn.execute(line.strip().split("\\s+"));
            } catch (RuntimeException e) {
                answer = "error: " + e.getMessage();
            }
            System.out.println(answer.replace('\n', ' '));
            System.out.flush();
        }
        System.exit(0);
    }

    private String execute(String[] words) {
        switch (words[0]) {
            case "stop" -> {
                server.shutdown();
                System.err.println("stand-in: stopped listening on port " + port);
            }
            case "start" -> {
                server = listen(port);
                System.err.println("stand-in: listening on port " + port + " again");
            }
            case "node" -> {
                requireWords(words, 4);
                createNode(words[1], words[2], words[3]);
            }
            case "delete-node" -> {
                requireWords(words, 2);
                admin.nodes().withName(words[1]).delete();
            }
            case "pod" -> {
                requireWords(words, 3);
                if (admin.pods().inNamespace(words[1]).withName(words[2]).get() == null) {
                    admin.pods().inNamespace(words[1]).resource(new PodBuilder().withNewMetadata()
                            .withNamespace(words[1]).withName(words[2]).endMetadata()
                            .withNewSpec().withNodeName(nodeName).endSpec().build()).create();
                }
            }
            case "delete-pod" -> {
                requireWords(words, 3);
                admin.pods().inNamespace(words[1]).withName(words[2]).delete();
            }
            case "service" -> {
                requireWords(words, 7);
                putService(words[1], words[2], words[3], words[4], Integer.parseInt(words[5]), words[6]);
            }
            case "delete-service" -> {
                requireWords(words, 3);
                admin.services().inNamespace(words[1]).withName(words[2]).delete();
            }
            case "slice" -> {
                if (words.length < 6) {
                    throw new IllegalArgumentException("'slice' takes at least 5 arguments, got " + (words.length - 1));
                }
                putSlice(words[1], words[2], words[3], words[4], Integer.parseInt(words[5]),
                        List.of(words).subList(6, words.length));
            }
            case "delete-slice" -> {
                requireWords(words, 3);
                admin.discovery().v1().endpointSlices().inNamespace(words[1]).withName(words[2]).delete();
            }
            default -> throw new IllegalArgumentException("unknown command '" + String.join(" ", words) + "'");
        }
        return "ok";
    }

    private static void requireWords(String[] words, int count) {
        if (words.length != count) {
            throw new IllegalArgumentException("'" + words[0] + "' takes " + (count - 1) + " arguments, got "
                    + (words.length - 1));
        }
    }

    private void createNode(String name, String podCidr, String internalIp) {
        Node node = new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().withPodCIDRs(List.of(podCidr)).endSpec()
                .withNewStatus().withAddresses(new NodeAddress(internalIp, "InternalIP")).endStatus().build();
        admin.nodes().resource(node).create();
    }

    private void putService(String namespace, String name, String clusterIp, String portName, int port,
                            String targetPort) {
        IntOrString target = targetPort.chars().allMatch(Character::isDigit)
                ? new IntOrString(Integer.parseInt(targetPort)) : new IntOrString(targetPort);
        Service service = new ServiceBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIp).withClusterIPs(clusterIp)
                .withPorts(new ServicePortBuilder().withName(portName).withProtocol("TCP").withPort(port)
                        .withTargetPort(target).build())
                .endSpec().build();
        var resource = admin.services().inNamespace(namespace).withName(name);
        if (resource.get() != null) {
            resource.delete();
        }
        admin.services().inNamespace(namespace).resource(service).create();
    }

    private void putSlice(String namespace, String name, String service, String portName, int port, List<String> ips) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String ip : ips) {
            endpoints.add(new EndpointBuilder().withAddresses(ip).withNodeName(nodeName)
                    .withConditions(new EndpointConditionsBuilder().withReady(true).withServing(true)
                            .withTerminating(false).build())
                    .build());
        }
        List<EndpointPort> ports = List.of(new EndpointPortBuilder().withName(portName).withProtocol("TCP")
                .withPort(port).build());
        var slices = admin.discovery().v1().endpointSlices().inNamespace(namespace);
        if (slices.withName(name).get() != null) {
            slices.withName(name).edit(s -> {
                s.setPorts(ports);
                s.setEndpoints(endpoints);
                return s;
            });
            return;
        }
        slices.resource(new EndpointSliceBuilder().withNewMetadata().withNamespace(namespace).withName(name)
                .withLabels(Map.of("kubernetes.io/service-name", service)).endMetadata()
                .withAddressType("IPv4").withPorts(ports).withEndpoints(endpoints).build()).create();
    }

    private MockWebServer listen(int onPort) {
        MockWebServer s = new MockWebServer();
        s.setDispatcher(dispatcher);
        s.start(InetAddress.getLoopbackAddress(), onPort);
        // MockWebServer queues every request for inspection: drain it.
        Thread drainer = new Thread(() -> {
            try {
                while (true) {
                    s.takeRequest();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "request-drainer-" + s.getPort());
        drainer.setDaemon(true);
        drainer.start();
        return s;
    }
}
