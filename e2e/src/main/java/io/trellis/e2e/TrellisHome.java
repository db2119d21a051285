package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The source tree the harness runs the agent and the CNI executable from: their launchers
 * ({@code core-agent/bin/trellis-agent}, {@code cni/bin/trellis-cni}) and what the build left for them.
 */
public record TrellisHome(Path root) {
    /** System property naming the tree explicitly; otherwise it is searched upwards from the working directory. */
    public static final String PROPERTY = "trellis.home";

    public TrellisHome {
        requireNonNull(root, "root");
        root = root.toAbsolutePath().normalize();
    }

    /** The tree named by {@value #PROPERTY}, or the first directory upwards of the working directory holding both launchers. */
    public static TrellisHome locate() {
        String explicit = System.getProperty(PROPERTY);
        if (explicit != null) {
            TrellisHome home = new TrellisHome(Path.of(explicit));
            if (!home.looksLikeTheTree()) {
                throw new IllegalStateException("-D" + PROPERTY + "=" + explicit + " holds no core-agent/bin/trellis-agent"
                        + " and cni/bin/trellis-cni");
            }
            return home;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            TrellisHome home = new TrellisHome(dir);
            if (home.looksLikeTheTree()) {
                return home;
            }
        }
        throw new IllegalStateException("no Trellis source tree (core-agent/bin/trellis-agent, cni/bin/trellis-cni) in "
                + start + " or above; set -D" + PROPERTY);
    }

    private boolean looksLikeTheTree() {
        return Files.isRegularFile(agentLauncher()) && Files.isRegularFile(cniExecutable());
    }

    public Path agentLauncher() {
        return root.resolve("core-agent/bin/trellis-agent");
    }

    public Path cniExecutable() {
        return root.resolve("cni/bin/trellis-cni");
    }

    /**
     * Fails naming what is missing when the agent or the CNI executable has not been packaged
     * ({@code mvn -pl e2e -am package -DskipTests} builds both).
     */
    public TrellisHome requireBuilt() {
        List<Path> needed = List.of(agentLauncher(), cniExecutable(),
                root.resolve("core-agent/target/trellis-core-agent.jar"),
                root.resolve("core-agent/target/agent.classpath"),
                root.resolve("cni/target/trellis-cni.d/trellis-cni.jar"),
                root.resolve("cni/target/trellis-cni.d/trellis-spi.jar"));
        List<String> missing = new ArrayList<>();
        for (Path p : needed) {
            if (!Files.isRegularFile(p)) {
                missing.add(root.relativize(p).toString());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("not built: " + String.join(", ", missing)
                    + " (build with: mvn -pl e2e -am package -DskipTests)");
        }
        for (Path launcher : List.of(agentLauncher(), cniExecutable())) {
            if (!Files.isExecutable(launcher)) {
                throw new IllegalStateException(launcher + " is not executable");
            }
        }
        return this;
    }
}
