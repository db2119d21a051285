package io.trellis.lab.cli;

import io.trellis.lab.Lab;
import io.trellis.lab.LabException;
import io.trellis.lab.LabPaths;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./trellis lab ...}: the local lab's commands. Exit codes: 0 done, 1 failed, 2 bad usage or an invalid
 * object, 3 the lab is not up; {@code exec} exits with the command's code.
 */
@Command(name = "trellis lab", mixinStandardHelpOptions = true,
        description = "A local Kubernetes-like lab: API stand-in, the Trellis controller, node namespaces with the "
                + "Trellis agent (OVS or the kernel's bridge, VXLAN and iptables), a lab kubelet running pods with a "
                + "built-in TCP/UDP workload.",
        subcommands = {UpCommand.class, DownCommand.class, ApplyCommand.class, DeleteCommand.class, GetCommand.class,
                ExecCommand.class, ProbeCommand.class, LogsCommand.class, KubeconfigCommand.class, RestartCommand.class,
                StatsCommand.class})
public final class LabCli implements Callable<Integer> {
    @Option(names = "--lab-dir", description = "The lab directory (default: $TRELLIS_LAB_DIR, else /tmp/trellis-lab).")
    Path labDir;

    @Option(names = "--home", description = "The Trellis source tree (default: $TRELLIS_HOME, else found from the "
            + "working directory).")
    Path home;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 2;
    }

    Lab lab() {
        LabPaths paths = labDir != null ? new LabPaths(labDir) : LabPaths.fromEnvironment(System.getenv());
        return new Lab(paths, System.out);
    }

    Path home() {
        if (home != null) {
            return home.toAbsolutePath().normalize();
        }
        String env = System.getenv("TRELLIS_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env).toAbsolutePath().normalize();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("trellis")) && Files.isDirectory(dir.resolve("lab"))) {
                return dir;
            }
        }
        throw new LabException(2, "cannot find the Trellis source tree: run from it, or set TRELLIS_HOME / --home");
    }

    public static int run(String... args) {
        CommandLine cli = new CommandLine(new LabCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof LabException le) {
                err.println("trellis lab: " + le.getMessage());
                err.flush();
                return le.exitCode();
            }
            err.println("trellis lab: " + e);
            e.printStackTrace(err);
            err.flush();
            return 1;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
