package io.trellis.lab.cli;

import java.nio.file.Files;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "kubeconfig", description = "Print a kubeconfig for the lab's API server (kubectl works with it).")
final class KubeconfigCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Override
    public Integer call() throws Exception {
        var lab = parent.lab();
        lab.requireUp();
        System.out.print(Files.readString(lab.paths().kubeconfig()));
        return 0;
    }
}
