package io.trellis.controller;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The API client, made as the agent makes it: from an explicit kubeconfig file, else fabric8's auto-configuration
 * ({@code KUBECONFIG}, {@code ~/.kube/config}, then in-cluster service account).
 */
final class KubernetesClients {
    private KubernetesClients() {
    }

    static KubernetesClient create(Optional<Path> kubeconfig) {
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
