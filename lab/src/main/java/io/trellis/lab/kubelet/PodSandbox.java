package io.trellis.lab.kubelet;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A pod the lab kubelet has set up (its "sandbox"), recorded on disk so that the commands (exec, probe) and
 * a later {@code down} find it.
 *
 * @param namespace   the pod's namespace
 * @param name        the pod's name
 * @param uid         the pod's UID
 * @param containerId the CNI container id used for ADD and DEL
 * @param netns       the pod's network namespace name (under /var/run/netns)
 * @param node        the node it runs on
 * @param podIp       its address, from the CNI result
 */
public record PodSandbox(String namespace, String name, String uid, String containerId, String netns, String node,
                         String podIp) {
    public PodSandbox {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(containerId, "containerId");
        Objects.requireNonNull(netns, "netns");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(podIp, "podIp");
    }

    public String key() {
        return PodNames.key(namespace, name);
    }

    public String netnsPath() {
        return "/var/run/netns/" + netns;
    }

    private static Path file(Path dir, String namespace, String name) {
        return dir.resolve(namespace + "." + name + ".json");
    }

    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".sandbox", ".tmp");
            Files.writeString(tmp, Serialization.asJson(this));
            Files.move(tmp, file(dir, namespace, name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record sandbox " + key() + ": " + e.getMessage(), e);
        }
    }

    public void remove(Path dir) {
        try {
            Files.deleteIfExists(file(dir, namespace, name));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove sandbox record " + key() + ": " + e.getMessage(), e);
        }
    }

    public static Optional<PodSandbox> load(Path dir, String namespace, String name) {
        try {
            return Optional.of(Serialization.unmarshal(Files.readString(file(dir, namespace, name)), PodSandbox.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<PodSandbox> all(Path dir) {
        List<PodSandbox> sandboxes = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return sandboxes;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")).toList()) {
                try {
                    sandboxes.add(Serialization.unmarshal(Files.readString(f), PodSandbox.class));
                } catch (java.nio.file.NoSuchFileException gone) {
                    // torn down by the kubelet between the listing and the read: no longer a sandbox
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sandboxes;
    }
}
