package io.trellis.lab;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/** Runs `./trellis lab --lab-dir DIR ...` the way a user does, for the lab's end-to-end tests. */
final class LabLauncher {
    private final Path home;
    private final Path labDir;

    /** What a launcher run printed and how it exited. */
    record Run(int exitCode, String stdout, String stderr) {
        Run {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }
    }

    LabLauncher(Path home, Path labDir) {
        this.home = Objects.requireNonNull(home, "home");
        this.labDir = Objects.requireNonNull(labDir, "labDir");
    }

    Path labDir() {
        return labDir;
    }

    Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(home.resolve("trellis").toString(), "lab", "--lab-dir",
                labDir.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Path out = Files.createTempFile("lab-out", ".txt");
        Path err = Files.createTempFile("lab-err", ".txt");
        builder.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }

    /** Runs a command that must succeed. */
    Run check(String... args) throws IOException, InterruptedException {
        Run run = run(args);
        assertThat(run.exitCode()).as("lab %s: %s%s", String.join(" ", args), run.stdout(), run.stderr()).isZero();
        return run;
    }

    /** `probe -o json` on a port and protocol, with a per-pair timeout. */
    JsonNode probe(int port, String protocol, int timeoutMillis) throws IOException, InterruptedException {
        Run probe = check("probe", "--port", Integer.toString(port), "--protocol", protocol, "-o", "json",
                "--timeout", Integer.toString(timeoutMillis));
        return Serialization.jsonMapper().readTree(probe.stdout().strip());
    }
}
