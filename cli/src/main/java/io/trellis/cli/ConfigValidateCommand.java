package io.trellis.cli;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.backend.Concern;
import io.trellis.agent.config.AgentConfig;
import io.trellis.agent.config.AgentConfigLoader;
import io.trellis.agent.config.ConfigException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code trellisctl config validate FILE}: the checks the agent makes at start (unknown keys, wrong
 * types, unknown backends, inconsistent combinations), with the backends on this tool's class path,
 * so a file can be checked before it is rolled out. Prints {@code OK} or every problem, each
 * naming its field.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Check an agent configuration file as the agent does at start; exit 1 if it is invalid.")
final class ConfigValidateCommand implements Callable<Integer> {

    private final Supplier<BackendRegistry> backends;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "The agent configuration (trellis-agent.yaml).")
    private Path file;

    ConfigValidateCommand(Supplier<BackendRegistry> backends) {
        this.backends = requireNonNull(backends, "backends");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BackendRegistry registry = backends.get();
        AgentConfig config;
        try {
            config = new AgentConfigLoader(registry).load(file);
        } catch (ConfigException e) {
            err.println(file + ": invalid agent configuration (" + e.errors().size()
                    + (e.errors().size() == 1 ? " problem" : " problems") + "):");
            e.errors().forEach(problem -> err.println("  " + problem));
            err.flush();
            return 1;
        }
        out.println("OK: " + file);
        StringBuilder chosen = new StringBuilder("backends:");
        for (Concern concern : Concern.values()) {
            chosen.append(' ').append(concern.configKey()).append('=')
                    .append(config.backends().forConcern(concern).orElse(BackendRegistry.NONE));
        }
        out.println(chosen);
        out.flush();
        return 0;
    }
}
