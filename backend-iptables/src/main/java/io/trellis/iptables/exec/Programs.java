package io.trellis.iptables.exec;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Finding the kernel tools this module runs: on the PATH, else in the sbin directories an agent's PATH may lack. */
public final class Programs {

    /** Where the tools live when the agent's PATH lacks the sbin directories. */
    public static final List<Path> FALLBACK_DIRS = List.of(Path.of("/usr/sbin"), Path.of("/sbin"));

    private Programs() {
    }

    /** The first executable {@code command} on the PATH or in {@link #FALLBACK_DIRS}. */
    public static Optional<Path> find(String command) {
        requireNonNull(command, "command");
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            Stream.of(path.split(":")).filter(p -> !p.isEmpty()).map(Path::of).forEach(dirs::add);
        }
        dirs.addAll(FALLBACK_DIRS);
        return dirs.stream().map(d -> d.resolve(command)).filter(Files::isExecutable).findFirst();
    }

    /** The error for a missing {@code command}: which package to install and what needs it. */
    public static IllegalStateException missing(String command, String pkg, String neededBy) {
        return new IllegalStateException(command + " not found in PATH or " + FALLBACK_DIRS + ": install the " + pkg
                + " package (" + neededBy + " needs it)");
    }
}
