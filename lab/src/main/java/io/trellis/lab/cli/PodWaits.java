package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.LabException;
import io.trellis.lab.LabPaths;
import io.trellis.lab.kubelet.PodSandbox;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Waiting for the lab kubelet to catch up with the API. */
final class PodWaits {
    private PodWaits() {
    }

    static void awaitRunning(KubernetesClient client, List<Pod> pods, Duration timeout) {
        List<String> notRunning = awaitEmpty(timeout, () -> {
            List<String> waiting = new ArrayList<>();
            for (Pod pod : pods) {
                Pod now = client.pods().inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName()).get();
                if (now == null) {
                    waiting.add(key(pod) + ": deleted");
                } else if (now.getStatus() == null || !"Running".equals(now.getStatus().getPhase())
                        || now.getStatus().getPodIP() == null) {
                    String message = now.getStatus() == null || now.getStatus().getMessage() == null ? ""
                            : " (" + now.getStatus().getMessage() + ")";
                    String phase = now.getStatus() == null || now.getStatus().getPhase() == null ? "Pending"
                            : now.getStatus().getPhase();
                    waiting.add(key(pod) + ": " + phase + message);
                }
            }
            return waiting;
        });
        if (!notRunning.isEmpty()) {
            throw new LabException("pods not running after " + timeout.toSeconds() + " s (see `./trellis lab logs "
                    + "kubelet` and `logs agent`):\n  - " + String.join("\n  - ", notRunning));
        }
        System.out.println(pods.size() + " pod(s) running");
    }

    /** Waits until no sandbox of the given pods (namespace/name keys, or "namespace/" for a whole namespace) is left. */
    static void awaitTornDown(LabPaths paths, List<String> keys, Duration timeout) {
        List<String> left = awaitEmpty(timeout, () -> PodSandbox.all(paths.sandboxDir()).stream()
                .map(PodSandbox::key)
                .filter(k -> keys.stream().anyMatch(want -> want.endsWith("/") ? k.startsWith(want) : k.equals(want)))
                .toList());
        if (!left.isEmpty()) {
            throw new LabException("pods still set up after " + timeout.toSeconds() + " s: " + left
                    + " (see `./trellis lab logs kubelet`)");
        }
    }

    private static List<String> awaitEmpty(Duration timeout, Supplier<List<String>> pending) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left = pending.get();
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabException("interrupted");
            }
            left = pending.get();
        }
        return left;
    }

    private static String key(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }
}
