package io.trellis.lab;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.trellis.lab.kubelet.CniInvoker;
import io.trellis.lab.kubelet.LabControllers;
import io.trellis.lab.kubelet.LabKubelet;
import io.trellis.lab.services.LabServiceControllers;
import io.trellis.lab.workload.WorkloadServer;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.sys.Syscalls;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's long-running process: a kubelet per node, the scheduler and namespace cascade, the Service
 * controllers (cluster IPs, node ports, EndpointSlices), and the built-in
 * workload of every pod (one process serves all pods). Started by {@code trellis lab up}, stopped by
 * {@code down} with SIGTERM; it writes {@code kubelet.ready} once it watches the API.
 *
 * <pre>java io.trellis.lab.LabDaemon --lab-dir DIR</pre>
 */
public final class LabDaemon {
    private static final Logger LOG = LoggerFactory.getLogger(LabDaemon.class);

    private LabDaemon() {
    }

    public static Path readyFile(LabPaths paths) {
        return paths.root().resolve("kubelet.ready");
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2 || !args[0].equals("--lab-dir")) {
            System.err.println("usage: lab-daemon --lab-dir DIR");
            System.exit(2);
        }
        LabPaths paths = new LabPaths(Path.of(args[1]));
        LabState state = LabState.load(paths.stateFile())
                .orElseThrow(() -> new IllegalStateException("no lab state in " + paths.stateFile()));
        Config config = Config.fromKubeconfig(Files.readString(paths.kubeconfig()));
        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        Syscalls sys = Syscalls.system();
        NamespaceSwitcher switcher = new NamespaceSwitcher(sys);
        WorkloadServer workload = new WorkloadServer(switcher);
        Shell shell = new Shell();
        Path cni = state.home().resolve("cni/bin/trellis-cni");
        List<AutoCloseable> running = new ArrayList<>();
        LabControllers controllers = new LabControllers(client,
                state.nodes().stream().map(LabState.NodeState::name).toList());
        controllers.start();
        running.add(controllers);
        LabServiceControllers serviceControllers = new LabServiceControllers(client);
        serviceControllers.start();
        running.add(serviceControllers);
        // The API server listens on the host's loopback; each node's agent finds it at the same address in its
        // own namespace (the lab's kubeconfig works unchanged there).
        java.net.URI server = java.net.URI.create(config.getMasterUrl());
        java.net.InetSocketAddress api = new java.net.InetSocketAddress(server.getHost(), server.getPort());
        // Likewise the controller's agent API (TLS passes through the relay untouched; the certificate names
        // 127.0.0.1, the address the agents dial).
        java.net.InetSocketAddress agentApi = state.agentApiPort() > 0
                ? new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), state.agentApiPort()) : null;
        for (LabState.NodeState node : state.nodes()) {
            try (io.trellis.netlink.netns.NetNamespace ns = io.trellis.netlink.netns.NetNamespace.named(sys, node.netns())) {
                running.add(io.trellis.lab.net.TcpForwarder.start(switcher, ns, api, api));
                if (agentApi != null) {
                    running.add(io.trellis.lab.net.TcpForwarder.start(switcher, ns, agentApi, agentApi));
                }
            }
        }
        for (LabState.NodeState node : state.nodes()) {
            LabKubelet kubelet = new LabKubelet(client, node.name(), node.internalIp(), state.prefix(),
                    new CniInvoker(cni, node.netns(), paths.cniSocket(node.name())), workload, shell, sys,
                    paths.sandboxDir());
            kubelet.start();
            running.add(kubelet);
        }
        Files.writeString(readyFile(paths), Long.toString(ProcessHandle.current().pid()));
        LOG.info("lab daemon ready: {} node(s)", state.nodes().size());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            for (AutoCloseable c : running) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing {}: {}", c, e.getMessage());
                }
            }
            workload.close();
            client.close();
            stopped.countDown();
        }, "lab-daemon-shutdown"));
        stopped.await();
    }
}
