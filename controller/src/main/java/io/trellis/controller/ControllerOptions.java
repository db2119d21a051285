package io.trellis.controller;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The controller's command line.
 *
 * @param config     {@code --config FILE}: trellis-controller.yaml
 * @param kubeconfig {@code --kubeconfig FILE}, else the {@code KUBECONFIG} variable; when neither is given the
 *                   client configures itself ({@code ~/.kube/config} or in-cluster)
 */
public record ControllerOptions(Path config, Optional<Path> kubeconfig) {
    static final String USAGE = "usage: trellis-controller --config FILE [--kubeconfig FILE]";

    public ControllerOptions {
        requireNonNull(config, "config");
        requireNonNull(kubeconfig, "kubeconfig");
    }

    /** Parses the arguments; throws {@link IllegalArgumentException} listing every problem and the usage. */
    public static ControllerOptions parse(String[] args, Map<String, String> environment) {
        Path config = null;
        Optional<Path> kubeconfig = Optional.ofNullable(environment.get("KUBECONFIG")).filter(s -> !s.isEmpty())
                .map(Path::of);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--config", "--kubeconfig" -> {
                    String value = i + 1 < args.length ? args[i + 1] : null;
                    if (value == null || value.startsWith("--")) {
                        problems.add(arg + " needs a value");
                        continue;
                    }
                    i++;
                    if (arg.equals("--config")) {
                        config = Path.of(value);
                    } else {
                        kubeconfig = Optional.of(Path.of(value));
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
        return new ControllerOptions(config, kubeconfig);
    }
}
