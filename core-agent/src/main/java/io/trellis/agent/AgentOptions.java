package io.trellis.agent;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The agent's command line.
 *
 * @param config      {@code --config FILE}: the agent configuration (trellis-agent.yaml)
 * @param kubeconfig  {@code --kubeconfig FILE}, else the {@code KUBECONFIG} variable; when neither
 *                    is given the client configures itself ({@code ~/.kube/config} or in-cluster)
 * @param nodeTimeout {@code --node-timeout SECONDS}: how long to wait at start for the Node object
 *                    and its pod CIDRs
 * @param uninstall   {@code --uninstall}: instead of running, remove what the configured backends put
 *                    on the node (see {@link NodeUninstaller}) and exit
 */
public record AgentOptions(Path config, Optional<Path> kubeconfig, Duration nodeTimeout, boolean uninstall) {
    static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofMinutes(5);
    static final String USAGE = "usage: trellis-agent --config FILE [--kubeconfig FILE] [--node-timeout SECONDS]\n"
            + "       trellis-agent --uninstall --config FILE";

    /** Options of a running agent (not {@code --uninstall}). */
    public AgentOptions(Path config, Optional<Path> kubeconfig, Duration nodeTimeout) {
        this(config, kubeconfig, nodeTimeout, false);
    }

    public AgentOptions {
        requireNonNull(config, "config");
        requireNonNull(kubeconfig, "kubeconfig");
        requireNonNull(nodeTimeout, "nodeTimeout");
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} listing every problem. */
    public static AgentOptions parse(String[] args, Map<String, String> environment) {
        Path config = null;
        Optional<Path> kubeconfig = Optional.ofNullable(environment.get("KUBECONFIG"))
                .filter(s -> !s.isEmpty()).map(Path::of);
        Duration timeout = DEFAULT_NODE_TIMEOUT;
        boolean uninstall = false;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (arg) {
                case "--uninstall" -> uninstall = true;
                case "--config", "--kubeconfig", "--node-timeout" -> {
                    if (value == null || value.startsWith("--")) {
                        problems.add(arg + " needs a value");
                        continue;
                    }
                    i++;
                    if (arg.equals("--config")) {
                        config = Path.of(value);
                    } else if (arg.equals("--kubeconfig")) {
                        kubeconfig = Optional.of(Path.of(value));
                    } else {
                        try {
                            long seconds = Long.parseLong(value);
                            if (seconds <= 0) {
                                throw new NumberFormatException();
                            }
                            timeout = Duration.ofSeconds(seconds);
                        } catch (NumberFormatException e) {
                            problems.add("--node-timeout: expected a positive number of seconds, got '" + value + "'");
                        }
                    }
                }
                default -> problems.add("unknown argument '" + arg + "'");
            }
        }
        if (config == null && problems.isEmpty()) {
            problems.add("--config is required");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems) + "\n" + USAGE);
        }
        return new AgentOptions(config, kubeconfig, timeout, uninstall);
    }
}
