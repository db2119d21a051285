package io.trellis.cli;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.BackendRegistry;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code trellisctl}, the Trellis command-line tool for cluster admins and backend authors. Each
 * subcommand is a small class; this one wires them (constructor injection, no picocli factory
 * magic) and turns failures into one line on stderr and exit code 1.
 *
 * <p>Exit codes: 0 success, 1 the check failed or the command could not do its work, 2 wrong usage.
 */
@Command(name = "trellisctl", mixinStandardHelpOptions = true, versionProvider = TrellisVersion.class,
        description = "Check and inspect a Trellis node and cluster.")
public final class Trellisctl {

    public static void main(String[] args) {
        System.exit(commandLine(() -> BackendRegistry.discover(Trellisctl.class.getClassLoader())).execute(args));
    }

    /**
     * The whole command tree; {@code backends} is asked when a command needs the backends (the real
     * tool discovers those on its class path with ServiceLoader, as the agent does).
     */
    public static CommandLine commandLine(Supplier<BackendRegistry> backends) {
        requireNonNull(backends, "backends");
        CommandLine config = new CommandLine(new ConfigCommand())
                .addSubcommand(new ConfigValidateCommand(backends));
        CommandLine ipam = new CommandLine(new IpamCommand())
                .addSubcommand(new IpamListCommand());
        CommandLine get = new CommandLine(new GetCommand())
                .addSubcommand(new GetNetworkPolicyStatsCommand());
        CommandLine root = new CommandLine(new Trellisctl())
                .addSubcommand(config)
                .addSubcommand(ipam)
                .addSubcommand(get)
                .addSubcommand(new VersionCommand(backends));
        root.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + message(e));
            cmd.getErr().flush();
            return 1;
        });
        return root;
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    /** {@code trellisctl config}: the agent configuration file. */
    @Command(name = "config", mixinStandardHelpOptions = true, description = "Work with the agent configuration file.")
    static final class ConfigCommand {
    }

    /** {@code trellisctl get}: state the Trellis controller holds for the cluster. */
    @Command(name = "get", mixinStandardHelpOptions = true, description = "Show cluster state the Trellis controller holds.")
    static final class GetCommand {
    }

    /** {@code trellisctl ipam}: IPAM state on this node. */
    @Command(name = "ipam", mixinStandardHelpOptions = true, description = "Inspect IPAM state on this node.")
    static final class IpamCommand {
    }
}
