package io.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/trellisctl} run as a real process, as an admin runs it. Tests run before the jar is
 * packaged, so the wrapper gets this build's class path through {@code TRELLISCTL_CLASSPATH}
 * (the main classes and every dependency of the test JVM, not the test classes).
 */
class TrellisctlWrapperTest {

    private static final Path WRAPPER = Path.of("bin/trellisctl").toAbsolutePath();

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    @Test
    void theWrapperRunsVersionAndValidate() throws Exception {
        Run version = run("version");
        assertThat(version.exitCode()).as(version.err()).isZero();
        assertThat(version.out()).startsWith("trellisctl " + TrellisVersion.version() + "\n")
                .containsPattern("(?m)^  host-local +ipam$");

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "backends:\n  ipam: host-local\n");
        Run invalid = run("config", "validate", bad.toString());
        assertThat(invalid.exitCode()).isEqualTo(1);
        assertThat(invalid.out()).isEmpty();
        assertThat(invalid.err()).contains("backends.podInterface");

        Run usage = run("nonsense");
        assertThat(usage.exitCode()).isEqualTo(2);
    }

    private Run run(String... args) throws Exception {
        assertThat(WRAPPER).as("the trellisctl wrapper").isExecutable();
        List<String> argv = new ArrayList<>(List.of(WRAPPER.toString()));
        argv.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().remove("TRELLIS_AGENT_CLASSPATH");
        pb.environment().put("TRELLISCTL_CLASSPATH", buildClassPath());
        pb.environment().put("TRELLISCTL_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p, true));
        String out = read(p, false);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("trellisctl exits").isTrue();
        return new Run(p.exitValue(), out, err.get());
    }

    private static String read(Process p, boolean stderr) {
        try {
            return new String((stderr ? p.getErrorStream() : p.getInputStream()).readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String buildClassPath() {
        List<String> cp = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.replace('\\', '/').endsWith("target/test-classes")) {
                cp.add(e);
            }
        }
        assertThat(cp).as("this module's classes on the test class path")
                .anyMatch(e -> e.replace('\\', '/').endsWith("cli/target/classes"));
        return String.join(File.pathSeparator, cp);
    }
}
