package io.trellis.lab.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

@Command(name = "down", description = "Stop the lab and remove everything it created (also after a crash).")
final class DownCommand implements Callable<Integer> {
    @ParentCommand
    LabCli parent;

    @Override
    public Integer call() {
        parent.lab().down();
        return 0;
    }
}
