package io.trellis.controller.config;

import io.trellis.ipam.cidr.Cidr;
import io.trellis.ipam.cidr.IpFamily;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code trellis-controller.yaml} (see {@code config/trellis-controller.yaml} for every field) into a
 * {@link ControllerConfig}. Unknown keys, values of the wrong type and impossible combinations are all collected
 * and reported together in one {@link ConfigException}, each naming its field and the value found.
 */
public final class ControllerConfigLoader {
    static final List<String> ROOT_KEYS = List.of("clusterCidr", "nodeCidrMaskSize", "leaderElection", "agentApi");
    static final List<String> LEADER_KEYS = List.of("identity", "leaseNamespace", "leaseName", "leaseDuration",
            "renewDeadline", "retryPeriod");
    static final List<String> AGENT_API_KEYS = List.of("listen", "certificateFile", "privateKeyFile",
            "agentTokenSecretFile");
    static final int DEFAULT_NODE_MASK = 24;
    static final String DEFAULT_LEASE_NAMESPACE = "kube-system";
    static final String DEFAULT_LEASE_NAME = "trellis-controller";
    static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
    static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
    static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);

    static final String DEFAULT_AGENT_API_HOST = "0.0.0.0";
    static final int DEFAULT_AGENT_API_PORT = 10349;

    private static final Pattern LISTEN = Pattern.compile("(?:((?:[0-9]{1,3}\\.){3}[0-9]{1,3})|\\[([0-9a-fA-F:.]+)\\]):([0-9]{1,5})");
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");
    // A Kubernetes object name (RFC 1123 subdomain) for the Lease and its namespace (RFC 1123 label).
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    public ControllerConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e));
        }
        return parse(text, file.toString());
    }

    /** Parses YAML text; {@code source} names it in messages. */
    public ControllerConfig parse(String text, String source) {
        Object document;
        try {
            // SafeConstructor: plain maps, lists and scalars only, never arbitrary classes.
            document = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (!(document instanceof Map<?, ?> rootMap)) {
            throw new ConfigException(source, List.of("expected a mapping with clusterCidr, nodeCidrMaskSize, "
                    + "leaderElection, agentApi; got " + describe(document)));
        }
        Map<String, Object> root = strings("", rootMap, problems);
        rejectUnknown("", root, ROOT_KEYS, problems);

        Optional<Cidr> cluster = clusterCidr(root, problems);
        Optional<Integer> mask = integer("", root, "nodeCidrMaskSize", DEFAULT_NODE_MASK, problems);
        if (cluster.isPresent() && mask.isPresent()) {
            int m = mask.get();
            int p = cluster.get().prefixLength();
            if (m < p || m > 30) {
                problems.add("nodeCidrMaskSize: must be " + p + ".." + 30 + " for clusterCidr " + cluster.get()
                        + " (at least the cluster prefix, at most /30 to leave room for pods), got " + m);
                mask = Optional.empty();
            }
        }

        Map<String, Object> leader = Map.of();
        Object leaderRaw = root.get("leaderElection");
        if (leaderRaw instanceof Map<?, ?> m) {
            leader = strings("leaderElection.", m, problems);
            rejectUnknown("leaderElection.", leader, LEADER_KEYS, problems);
        } else if (root.containsKey("leaderElection")) {
            problems.add("leaderElection: expected a section (key: value lines), got " + describe(leaderRaw));
        }
        Optional<String> identity = leader.containsKey("identity")
                ? string("leaderElection.", leader, "identity", problems).filter(s -> {
                    if (s.isBlank()) {
                        problems.add("leaderElection.identity: must not be blank (omit it for hostname_pid)");
                        return false;
                    }
                    return true;
                })
                : Optional.empty();
        boolean identityBad = leader.containsKey("identity") && identity.isEmpty();
        Optional<String> namespace = name("leaderElection.", leader, "leaseNamespace", DEFAULT_LEASE_NAMESPACE,
                DNS_LABEL, problems);
        Optional<String> leaseName = name("leaderElection.", leader, "leaseName", DEFAULT_LEASE_NAME, DNS_SUBDOMAIN,
                problems);
        Optional<Duration> leaseDuration = duration(leader, "leaseDuration", DEFAULT_LEASE_DURATION, problems);
        Optional<Duration> renewDeadline = duration(leader, "renewDeadline", DEFAULT_RENEW_DEADLINE, problems);
        Optional<Duration> retryPeriod = duration(leader, "retryPeriod", DEFAULT_RETRY_PERIOD, problems);

        LeaderElectionSettings settings = null;
        if (!identityBad && namespace.isPresent() && leaseName.isPresent() && leaseDuration.isPresent()
                && renewDeadline.isPresent() && retryPeriod.isPresent()) {
            try {
                settings = new LeaderElectionSettings(identity, namespace.get(), leaseName.get(), leaseDuration.get(),
                        renewDeadline.get(), retryPeriod.get());
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        Optional<AgentApiSettings> agentApi = Optional.empty();
        Object agentRaw = root.get("agentApi");
        if (agentRaw instanceof Map<?, ?> m) {
            agentApi = agentApi(strings("agentApi.", m, problems), problems);
        } else if (root.containsKey("agentApi")) {
            problems.add("agentApi: expected a section (key: value lines), got " + describe(agentRaw));
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(source, problems);
        }
        return new ControllerConfig(cluster.orElseThrow(), mask.orElseThrow(), settings, agentApi);
    }

    private static Optional<AgentApiSettings> agentApi(Map<String, Object> section, List<String> problems) {
        rejectUnknown("agentApi.", section, AGENT_API_KEYS, problems);
        int before = problems.size();
        Optional<InetSocketAddress> listen = section.containsKey("listen")
                ? string("agentApi.", section, "listen", problems).flatMap(t -> listenAddress(t, problems))
                : Optional.of(new InetSocketAddress(DEFAULT_AGENT_API_HOST, DEFAULT_AGENT_API_PORT));
        Optional<Path> certificate = file(section, "certificateFile", problems);
        Optional<Path> key = file(section, "privateKeyFile", problems);
        Optional<Path> secret = file(section, "agentTokenSecretFile", problems);
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new AgentApiSettings(listen.orElseThrow(), certificate.orElseThrow(), key.orElseThrow(),
                secret.orElseThrow()));
    }

    /** {@code address:port} with a numeric IPv4 address or a bracketed IPv6 one; no name lookup. */
    private static Optional<InetSocketAddress> listenAddress(String text, List<String> problems) {
        Matcher m = LISTEN.matcher(text);
        if (m.matches()) {
            String host = m.group(1) != null ? m.group(1) : m.group(2);
            int port = Integer.parseInt(m.group(3));
            boolean octets = m.group(1) == null
                    || java.util.Arrays.stream(host.split("\\.")).allMatch(o -> Integer.parseInt(o) <= 255);
            if (port >= 1 && port <= 65535 && octets) {
                try {
                    return Optional.of(new InetSocketAddress(InetAddress.getByName(host), port));
                } catch (UnknownHostException e) {
                    // reported below
                }
            }
        }
        problems.add("agentApi.listen: expected address:port with a numeric IP address and a port 1..65535 "
                + "(e.g. 0.0.0.0:10349 or [::]:10349), got '" + text + "'");
        return Optional.empty();
    }

    private static Optional<Path> file(Map<String, Object> section, String key, List<String> problems) {
        if (!section.containsKey(key)) {
            problems.add("agentApi." + key + ": required when agentApi is given");
            return Optional.empty();
        }
        Optional<String> text = string("agentApi.", section, key, problems);
        if (text.isPresent() && !text.get().startsWith("/")) {
            problems.add("agentApi." + key + ": expected an absolute file path, got '" + text.get() + "'");
            return Optional.empty();
        }
        return text.map(Path::of);
    }

    private static Optional<Cidr> clusterCidr(Map<String, Object> root, List<String> problems) {
        if (!root.containsKey("clusterCidr")) {
            problems.add("clusterCidr: required (the IPv4 network node pod CIDRs are carved from, e.g. 10.244.0.0/16)");
            return Optional.empty();
        }
        Optional<String> text = string("", root, "clusterCidr", problems);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Cidr cidr;
        try {
            cidr = Cidr.parse(text.get().trim());
        } catch (IllegalArgumentException e) {
            problems.add("clusterCidr: '" + text.get() + "' is not a valid CIDR: " + e.getMessage());
            return Optional.empty();
        }
        if (cidr.family() != IpFamily.IPV4) {
            problems.add("clusterCidr: only IPv4 is supported, got '" + text.get() + "'");
            return Optional.empty();
        }
        return Optional.of(cidr);
    }

    private static Optional<Duration> duration(Map<String, Object> section, String key, Duration defaultValue,
                                               List<String> problems) {
        if (!section.containsKey(key)) {
            return Optional.of(defaultValue);
        }
        Optional<String> text = string("leaderElection.", section, key, problems);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION.matcher(text.get());
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            problems.add("leaderElection." + key + ": expected a positive duration like 15s, 500ms or 1m, got '"
                    + text.get() + "'");
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        });
    }

    private static Optional<String> name(String prefix, Map<String, Object> section, String key, String defaultValue,
                                         Pattern pattern, List<String> problems) {
        if (!section.containsKey(key)) {
            return Optional.of(defaultValue);
        }
        Optional<String> text = string(prefix, section, key, problems);
        if (text.isPresent() && (!pattern.matcher(text.get()).matches() || text.get().length() > 253)) {
            problems.add(prefix + key + ": not a valid Kubernetes name (lower case letters, digits and '-'), got '"
                    + text.get() + "'");
            return Optional.empty();
        }
        return text;
    }

    private static Optional<Integer> integer(String prefix, Map<String, Object> section, String key, int defaultValue,
                                             List<String> problems) {
        if (!section.containsKey(key)) {
            return Optional.of(defaultValue);
        }
        Object value = section.get(key);
        if (value instanceof Integer i) {
            return Optional.of(i);
        }
        problems.add(prefix + key + ": expected an integer, got " + describe(value));
        return Optional.empty();
    }

    private static Optional<String> string(String prefix, Map<String, Object> section, String key, List<String> problems) {
        Object value = section.get(key);
        if (value instanceof String s) {
            return Optional.of(s);
        }
        problems.add(prefix + key + ": expected a string, got " + describe(value));
        return Optional.empty();
    }

    private static Map<String, Object> strings(String prefix, Map<?, ?> map, List<String> problems) {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (k instanceof String s) {
                out.put(s, v);
            } else {
                problems.add(prefix + describe(k) + ": keys must be strings");
            }
        });
        return out;
    }

    private static void rejectUnknown(String prefix, Map<String, Object> section, List<String> known,
                                      List<String> problems) {
        for (String key : section.keySet()) {
            if (!known.contains(key)) {
                problems.add(prefix + key + ": unknown key (known: " + String.join(", ", known) + ")");
            }
        }
    }

    private static String describe(Object value) {
        if (value == null) {
            return "nothing";
        }
        if (value instanceof String s) {
            return "string '" + s + "'";
        }
        if (value instanceof Map) {
            return "a section";
        }
        if (value instanceof List) {
            return "a list";
        }
        return value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + value;
    }
}
