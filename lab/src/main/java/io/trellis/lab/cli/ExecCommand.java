package io.trellis.lab.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import io.trellis.lab.kubelet.PodSandbox;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(name = "exec", description = "Run a command in a pod's network namespace: exec NS/POD -- CMD...")
final class ExecCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Parameters(index = "0", paramLabel = "NS/POD")
    String pod;

    @Parameters(index = "1..*", paramLabel = "CMD", arity = "1..*")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        Lab lab = parent.lab();
        String[] parts = pod.split("/", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new LabException(2, "expected NS/POD, got '" + pod + "'");
        }
        try (KubernetesClient client = lab.client()) {
            if (client.pods().inNamespace(parts[0]).withName(parts[1]).get() == null) {
                throw new LabException(1, "pod " + pod + " not found");
            }
        }
        PodSandbox sandbox = PodSandbox.load(lab.paths().sandboxDir(), parts[0], parts[1])
                .orElseThrow(() -> new LabException(1, "pod " + pod + " is not running yet (no network namespace)"));
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", sandbox.netns()));
        argv.addAll(command);
        return new ProcessBuilder(argv).inheritIO().start().waitFor();
    }
}
