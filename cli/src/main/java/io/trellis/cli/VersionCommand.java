package io.trellis.cli;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.spi.TrellisBackend;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code trellisctl version}: this tool's release, the Java runtime, and the backends found on the
 * class path with the concerns each provides (what a configuration may name).
 */
@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the Trellis version, the Java runtime and the available backends.")
final class VersionCommand implements Callable<Integer> {

    private final Supplier<BackendRegistry> backends;

    @Spec
    private CommandSpec spec;

    VersionCommand(Supplier<BackendRegistry> backends) {
        this.backends = requireNonNull(backends, "backends");
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("trellisctl " + TrellisVersion.version());
        out.println("java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")");
        Map<String, TrellisBackend> found = backends.get().asMap();
        if (found.isEmpty()) {
            out.println("backends: none on the class path");
        } else {
            out.println("backends:");
            int width = found.keySet().stream().mapToInt(String::length).max().orElse(0);
            found.forEach((name, backend) -> out.println("  " + pad(name, width) + "  "
                    + String.join(", ", BackendRegistry.concernsOf(backend))));
        }
        out.flush();
        return 0;
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}
