package io.trellis.agent.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes the agent's API client the way Kubernetes components usually do: from an explicit
 * kubeconfig file, else from {@code KUBECONFIG} or {@code ~/.kube/config}, else in-cluster (the
 * pod's service account), which is fabric8's auto-configuration.
 */
public final class KubernetesClients {
    private KubernetesClients() {
    }

    public static KubernetesClient create(Optional<Path> kubeconfig) {
        Config config;
        if (kubeconfig.isPresent()) {
            Path file = kubeconfig.get();
            if (!Files.isReadable(file)) {
                throw new IllegalArgumentException("--kubeconfig " + file + ": no such readable file");
            }
            config = Config.fromKubeconfig(file.toFile());
        } else {
            config = Config.autoConfigure(null);
        }
        return new KubernetesClientBuilder().withConfig(config).build();
    }
}
