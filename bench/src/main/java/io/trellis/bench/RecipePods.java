package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The minimal hand-written pipeline: the shared recipe {@code ovs-two-node-lab.sh} run as it is, with its
 * own {@code LAB_ROOT}. It builds two node namespaces with their own OVS (br-phy holding the underlay IP,
 * br-int with a gateway, one flow-based Geneve port and a pod with MTU 1450) and a handful of flows, and
 * prints which pod namespace holds which address; {@code down} removes it all. Its namespace and link
 * names have a fixed prefix ({@value #PREFIX}), so it refuses to start while anything of that name exists:
 * another run of the recipe, whose {@code down} would then remove someone else's namespaces.
 */
final class RecipePods implements TwoNodePods {
    static final String PREFIX = "rl";
    /** The recipe's own line: {@code pod 10.10.1.2 (netns rlp1a) -> pod 10.10.2.2 (netns rlp2a):}. */
    private static final Pattern POD_LINE =
            Pattern.compile("(?m)^pod (\\S+) \\(netns (\\S+)\\) -> pod (\\S+) \\(netns (\\S+)\\):");
    private static final Duration UP_TIMEOUT = Duration.ofMinutes(3);
    private static final int UP_ATTEMPTS = 3;
    private static final String SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
    private static final Duration DOWN_TIMEOUT = Duration.ofMinutes(1);

    private final Path recipe;
    private final Path labRoot;
    // start() runs on the main thread; close() may come from the shutdown hook while start() is still running.
    private volatile boolean started;
    private volatile boolean closed;

    RecipePods(Path recipe, Path labRoot) {
        this.recipe = requireNonNull(recipe, "recipe").toAbsolutePath().normalize();
        this.labRoot = requireNonNull(labRoot, "labRoot").toAbsolutePath().normalize();
    }

    @Override
    public String name() {
        return "recipe-ovs";
    }

    Path recipe() {
        return recipe;
    }

    /** Fails naming the path when the recipe is not there, before anything is started. */
    static void requireRecipe(Path recipe) {
        if (!Files.isRegularFile(recipe) || !Files.isReadable(recipe)) {
            throw new IllegalStateException("the shared recipe " + recipe + " is missing: the benchmark compares Trellis"
                    + " with the minimal pipeline it builds (shared/recipes/ovs-two-node-lab.sh beside the repository;"
                    + " another location with --recipe FILE)");
        }
    }

    @Override
    public PodPair start() {
        requireRecipe(recipe);
        List<String> taken = prefixed(HostCommand.capture(List.of("ip", "netns", "list"), Duration.ofSeconds(20)).check()
                .stdout(), HostCommand.capture(List.of("ip", "-o", "link", "show"), Duration.ofSeconds(20)).check().stdout());
        if (!taken.isEmpty()) {
            throw new IllegalStateException("namespaces or links named " + PREFIX + "* exist (" + String.join(", ", taken)
                    + "): the recipe uses that fixed prefix, so it is probably running elsewhere; not starting it"
                    + " (when they are stale: LAB_ROOT=... " + recipe + " down, or ip netns del)");
        }
        if (Files.exists(labRoot)) {
            throw new IllegalStateException(labRoot + " exists (left by an earlier run?): remove it first");
        }
        started = true;
        if (closed) {
            throw new IllegalStateException("interrupted: the benchmark is being torn down");
        }
        HostCommand.Output up = upWithRetries();
        String[] pods = podsOf(up.stdout());
        PodPair pair = new PodPair(PodEndpoint.read(pods[1]), PodEndpoint.read(pods[3]));
        expectAddress(pair.client(), pods[0]);
        expectAddress(pair.server(), pods[2]);
        return pair;
    }

    /**
     * The recipe's {@code up} ends with its own checks (a ping, then curl to a ClusterIP served by a Python
     * HTTP server it gives one second to start), which fail now and then on a loaded 2-core machine: a
     * failed {@code up} is taken down and tried again, up to {@value #UP_ATTEMPTS} times in all.
     */
    private HostCommand.Output upWithRetries() {
        for (int attempt = 1; ; attempt++) {
            System.out.println("== " + name() + ": " + recipe + " up (LAB_ROOT=" + labRoot + ") ==");
            HostCommand.Output up = HostCommand.capture(List.of("bash", recipe.toString(), "up"), environment(),
                    UP_TIMEOUT);
            System.out.print(up.stdout());
            if (closed) {
                throw new IllegalStateException("interrupted: the benchmark is being torn down");
            }
            if (up.succeeded() || attempt == UP_ATTEMPTS) {
                return up.check();
            }
            System.out.println("recipe up failed (attempt " + attempt + " of " + UP_ATTEMPTS + ", exit " + up.exitCode()
                    + "): taking it down and trying again");
            down();
        }
    }

    /**
     * Its own lab root, and the system's PATH: the recipe is built from Debian packages only, and a python3
     * wrapper earlier on a user's PATH (pyenv's shims take most of a second to start on a loaded machine)
     * would make its HTTP server miss the one second the recipe gives it.
     */
    private Map<String, String> environment() {
        return Map.of("LAB_ROOT", labRoot.toString(), "PATH", SYSTEM_PATH);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!started) {
            return; // nothing was created (or a refused start: the names belong to someone else)
        }
        down();
    }

    private void down() {
        int exit = HostCommand.visible(List.of("bash", recipe.toString(), "down"), environment(), DOWN_TIMEOUT);
        if (exit != 0) {
            System.err.println("warning: " + recipe + " down exited with " + exit);
        }
        List<String> left = prefixed(HostCommand.capture(List.of("ip", "netns", "list"), Duration.ofSeconds(20)).stdout(),
                HostCommand.capture(List.of("ip", "-o", "link", "show"), Duration.ofSeconds(20)).stdout());
        if (!left.isEmpty()) {
            System.err.println("warning: left after the recipe's down: " + String.join(", ", left));
        }
    }

    /**
     * The pods the recipe reports, as {client address, client netns, server address, server netns}, from
     * its line {@code pod A (netns X) -> pod B (netns Y):}.
     */
    static String[] podsOf(String recipeOutput) {
        Matcher m = POD_LINE.matcher(recipeOutput);
        if (!m.find()) {
            throw new IllegalStateException("the recipe's output has no line 'pod ADDRESS (netns NS) -> pod ADDRESS"
                    + " (netns NS):' naming its pods; did the recipe change? Output:\n" + recipeOutput);
        }
        return new String[] {m.group(1), m.group(2), m.group(3), m.group(4)};
    }

    /**
     * Names starting with {@value #PREFIX} in {@code ip netns list} (one "NAME [(id: N)]" per line) and
     * {@code ip -o link show} ("INDEX: NAME[@PEER]: ..." per line) output.
     */
    static List<String> prefixed(String netnsList, String linkList) {
        List<String> names = new ArrayList<>();
        for (String line : netnsList.split("\n")) {
            String name = line.strip().split("\\s+", 2)[0];
            if (name.startsWith(PREFIX)) {
                names.add("netns " + name);
            }
        }
        for (String line : linkList.split("\n")) {
            String[] fields = line.split(": ", 3);
            if (fields.length >= 2) {
                String name = fields[1].split("@", 2)[0].strip();
                if (name.startsWith(PREFIX)) {
                    names.add("link " + name);
                }
            }
        }
        return names;
    }

    private static void expectAddress(PodEndpoint pod, String announced) {
        if (!pod.ip().equals(announced)) {
            throw new IllegalStateException("the recipe names " + announced + " for " + pod.netns() + ", but its "
                    + PodEndpoint.INTERFACE + " holds " + pod.ip());
        }
    }
}
