package io.trellis.lab.cli;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.Lab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(name = "delete", description = "Delete the objects of a manifest (a Namespace takes its Pods with it).")
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Option(names = "-f", required = true, paramLabel = "FILE", description = "The manifest.")
    Path file;

    @Option(names = "--no-wait", negatable = false,
            description = "Return at once instead of waiting until the kubelet has torn the pods down.")
    boolean noWait;

    @Override
    public Integer call() {
        Lab lab = parent.lab();
        try (KubernetesClient client = lab.client()) {
            List<HasMetadata> items = new ArrayList<>(Manifests.load(client, file));
            java.util.Collections.reverse(items);   // Pods before their Namespaces
            List<String> torn = new ArrayList<>();
            for (HasMetadata item : items) {
                boolean deleted = !client.resource(item).delete().isEmpty();
                System.out.println(Manifests.describe(item) + (deleted ? " deleted" : " not found"));
                if (item instanceof Pod) {
                    torn.add(item.getMetadata().getNamespace() + "/" + item.getMetadata().getName());
                } else if (item.getKind().equals("Namespace")) {
                    torn.add(item.getMetadata().getName() + "/");
                }
            }
            if (!noWait && !torn.isEmpty()) {
                PodWaits.awaitTornDown(lab.paths(), torn, Duration.ofSeconds(60));
            }
        }
        return 0;
    }
}
