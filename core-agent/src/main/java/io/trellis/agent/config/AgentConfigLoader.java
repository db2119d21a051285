package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.agent.backend.Concern;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads {@code trellis-agent.yaml} into an {@link AgentConfig}, rejecting at start anything it
 * does not understand: unknown keys, values of the wrong type, unknown backends (listing those
 * found on the class path), and combinations that cannot work. All problems are collected and
 * thrown together as one {@link ConfigException}.
 *
 * <p>YAML is loaded with SnakeYAML's {@link SafeConstructor} (plain maps, lists and scalars; no
 * arbitrary types), duplicate keys rejected and aliases limited.
 */
public final class AgentConfigLoader {

    static final String NODE_NAME = "nodeName";
    static final String BACKENDS = "backends";
    static final String NETWORK = "network";
    static final String PATHS = "paths";
    static final String SETTINGS = "settings";
    static final String CONTROLLER = "controller";
    /** The backend whose section the agent reads itself. */
    static final String OVS = "ovs";

    /** Every key, per section, in the order of the documented default file. */
    static final Map<String, List<String>> KEYS = keys();

    static final String DEFAULT_NODE_NAME_ENV = "NODE_NAME";
    static final String DEFAULT_STATE_DIR = "/var/lib/trellis";
    static final String DEFAULT_RUN_DIR = "/var/run/trellis";
    static final String DEFAULT_CNI_SOCKET = "/var/run/trellis/cni.sock";
    static final String DEFAULT_INTEGRATION_BRIDGE = "br-int";
    static final String DEFAULT_UPLINK_BRIDGE = "br-ex";
    static final String DEFAULT_OVSDB_SOCKET = "/var/run/openvswitch/db.sock";
    static final String DEFAULT_OVS_RUN_DIR = "/var/run/openvswitch";

    /** Interface names as the kernel takes them (IFNAMSIZ 16 with the NUL), kept to a conservative alphabet. */
    private static final Pattern INTERFACE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
    private static final Pattern HEX_MASK = Pattern.compile("0x[0-9a-fA-F]+");

    private final BackendRegistry registry;

    public AgentConfigLoader(BackendRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
    }

    private static Map<String, List<String>> keys() {
        Map<String, List<String>> keys = new LinkedHashMap<>();
        keys.put("", List.of(NODE_NAME, BACKENDS, NETWORK, PATHS, CONTROLLER, SETTINGS));
        keys.put(NODE_NAME, List.of("from", "env", "value"));
        keys.put(BACKENDS, java.util.Arrays.stream(Concern.values()).map(Concern::configKey).toList());
        keys.put(NETWORK, List.of("mtu", "podCidr", "tunnelType"));
        keys.put(PATHS, List.of("stateDir", "runDir", "cniSocket"));
        keys.put(CONTROLLER, List.of("address", "caFile", "tokenFile"));
        keys.put(SETTINGS + "." + OVS,
                List.of("datapathType", "integrationBridge", "uplinkBridge", "ovsdbSocket", "runDir", "netdev"));
        keys.put(SETTINGS + "." + OVS + ".netdev", List.of("uplinkInterface", "pmdCpuMask"));
        return java.util.Collections.unmodifiableMap(keys);
    }

    /** Loads and validates the file at {@code file}. */
    public AgentConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read the file: " + e));
        }
        return parse(text, file.toString());
    }

    /** Parses and validates YAML text; {@code source} names it in the error message. */
    public AgentConfig parse(String yamlText, String source) {
        List<String> errors = new ArrayList<>();
        Object document;
        try {
            document = yaml().load(yamlText);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark();
            String where = mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
            throw new ConfigException(source, List.of(where + "not valid YAML: " + e.getProblem()));
        } catch (YAMLException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        if (document == null) {
            throw new ConfigException(source, List.of("the file is empty; at least backends.ipam and backends.podInterface are needed"));
        }
        if (!(document instanceof Map<?, ?> rootMap)) {
            throw new ConfigException(source, List.of("the top level must be a section (key: value lines), got "
                    + YamlSection.describe(document)));
        }
        YamlSection root = YamlSection.root(rootMap, errors);
        root.rejectUnknown(KEYS.get(""));

        Optional<NodeNameSource> nodeName = nodeName(root.sectionOrEmpty(NODE_NAME));
        Optional<Backends> backends = backends(root);
        Optional<NetworkConfig> network = network(root.sectionOrEmpty(NETWORK));
        Optional<PathsConfig> paths = paths(root.sectionOrEmpty(PATHS));
        Optional<ControllerConfig> controller = controller(root, backends);
        Map<String, BackendSettings> settings = new LinkedHashMap<>();
        Optional<OvsConfig> ovs = settings(root, backends, settings);

        if (!errors.isEmpty()) {
            throw new ConfigException(source, errors);
        }
        return new AgentConfig(nodeName.orElseThrow(), backends.orElseThrow(), network.orElseThrow(),
                paths.orElseThrow(), controller, ovs, settings);
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(10);
        return new Yaml(new SafeConstructor(options));
    }

    private Optional<NodeNameSource> nodeName(YamlSection s) {
        s.rejectUnknown(KEYS.get(NODE_NAME));
        Optional<String> from = s.string("from", "env");
        if (from.isEmpty()) {
            return Optional.empty();
        }
        String kind = from.get();
        if (!kind.equals("env") && s.has("env")) {
            s.error("env", "only valid with from: env (from is '" + kind + "')");
        }
        if (!kind.equals("fixed") && s.has("value")) {
            s.error("value", "only valid with from: fixed (from is '" + kind + "')");
        }
        switch (kind) {
            case "env" -> {
                Optional<String> variable = s.string("env", DEFAULT_NODE_NAME_ENV);
                if (variable.isPresent() && variable.get().isEmpty()) {
                    s.error("env", "must name an environment variable, got ''");
                    return Optional.empty();
                }
                return variable.map(NodeNameSource.Env::new);
            }
            case "hostname" -> {
                return Optional.of(new NodeNameSource.Hostname());
            }
            case "fixed" -> {
                if (!s.has("value")) {
                    s.error("value", "required with from: fixed");
                    return Optional.empty();
                }
                Optional<String> value = s.string("value");
                if (value.isPresent() && !NodeNameSource.DNS_SUBDOMAIN.matcher(value.get()).matches()) {
                    s.error("value", "'" + value.get() + "' is not a valid Node name (an RFC 1123 DNS subdomain)");
                    return Optional.empty();
                }
                return value.map(NodeNameSource.Fixed::new);
            }
            default -> {
                s.error("from", "expected env, hostname or fixed, got '" + kind + "'");
                return Optional.empty();
            }
        }
    }

    private Optional<Backends> backends(YamlSection root) {
        if (!root.has(BACKENDS)) {
            root.error(BACKENDS, "required: the backend of each concern (available: " + available() + ")");
            return Optional.empty();
        }
        Optional<YamlSection> section;
        if (root.raw(BACKENDS) instanceof String preset) {
            Optional<Map<String, Object>> expanded = BackendPresets.expand(preset);
            if (expanded.isEmpty()) {
                root.error(BACKENDS, "unknown preset '" + preset + "' (presets: " + String.join(", ", BackendPresets.names())
                        + "; or a section naming the backend of each concern)");
                return Optional.empty();
            }
            section = Optional.of(root.derived(BACKENDS, "preset '" + preset + "'", expanded.get()));
        } else {
            section = root.section(BACKENDS);
        }
        if (section.isEmpty()) {
            return Optional.empty();
        }
        YamlSection s = section.get();
        s.rejectUnknown(KEYS.get(BACKENDS));
        Map<Concern, Optional<String>> chosen = new LinkedHashMap<>();
        boolean ok = true;
        for (Concern concern : Concern.values()) {
            String key = concern.configKey();
            if (!s.has(key)) {
                if (concern.required()) {
                    s.error(key, "required (available: " + available() + ")");
                    ok = false;
                } else {
                    chosen.put(concern, Optional.empty());
                }
                continue;
            }
            Optional<String> name = s.string(key);
            if (name.isEmpty()) {
                ok = false;
                continue;
            }
            if (name.get().equals(BackendRegistry.NONE)) {
                if (concern.required()) {
                    s.error(key, "'none' is not allowed: every pod needs " + key + " (available: " + available() + ")");
                    ok = false;
                } else {
                    chosen.put(concern, Optional.empty());
                }
                continue;
            }
            Optional<TrellisBackend> backend = registry.find(name.get());
            if (backend.isEmpty()) {
                s.error(key, "unknown backend '" + name.get() + "' (available: " + available() + ")");
                ok = false;
            } else if (!concern.providedBy(backend.get())) {
                List<String> provided = BackendRegistry.concernsOf(backend.get());
                s.error(key, "backend '" + name.get() + "' does not provide " + key + " (it provides: "
                        + (provided.isEmpty() ? "nothing" : String.join(", ", provided)) + ")");
                ok = false;
            } else {
                chosen.put(concern, name);
            }
        }
        if (!ok) {
            return Optional.empty();
        }
        return Optional.of(new Backends(chosen.get(Concern.IPAM).orElseThrow(),
                chosen.get(Concern.POD_INTERFACE).orElseThrow(), chosen.get(Concern.NODE_ROUTES),
                chosen.get(Concern.SERVICE_PROXY), chosen.get(Concern.POLICY)));
    }

    private String available() {
        return registry.names().isEmpty() ? "none found on the class path" : String.join(", ", registry.names());
    }

    private Optional<NetworkConfig> network(YamlSection s) {
        s.rejectUnknown(KEYS.get(NETWORK));
        Optional<Mtu> mtu = mtu(s);
        Optional<PodCidrSource> podCidr = podCidr(s);
        Optional<TunnelType> tunnel = s.string("tunnelType", TunnelType.GENEVE.configName()).flatMap(name -> {
            Optional<TunnelType> type = TunnelType.fromConfigName(name);
            if (type.isEmpty()) {
                s.error("tunnelType", "expected geneve or vxlan, got '" + name + "'");
            }
            return type;
        });
        if (mtu.isEmpty() || podCidr.isEmpty() || tunnel.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new NetworkConfig(mtu.get(), podCidr.get(), tunnel.get()));
    }

    private static Optional<Mtu> mtu(YamlSection s) {
        Object value = s.raw("mtu");
        if (!s.has("mtu") || "auto".equals(value)) {
            return Optional.of(new Mtu.Auto());
        }
        if (value instanceof Integer i) {
            if (i < Mtu.MIN || i > Mtu.MAX) {
                s.error("mtu", "must be " + Mtu.MIN + ".." + Mtu.MAX + ", got " + i);
                return Optional.empty();
            }
            return Optional.of(new Mtu.Fixed(i));
        }
        if (value instanceof Long || value instanceof java.math.BigInteger) {
            s.error("mtu", "must be " + Mtu.MIN + ".." + Mtu.MAX + ", got " + value);
            return Optional.empty();
        }
        s.error("mtu", "expected 'auto' or an integer, got " + YamlSection.describe(value));
        return Optional.empty();
    }

    private static Optional<PodCidrSource> podCidr(YamlSection s) {
        Object value = s.raw("podCidr");
        if (!s.has("podCidr") || "node-spec".equals(value)) {
            return Optional.of(new PodCidrSource.NodeSpec());
        }
        List<Object> items;
        if (value instanceof String) {
            items = List.of(value);
        } else if (value instanceof List<?> list && !list.isEmpty()) {
            items = new ArrayList<>(list);
        } else {
            s.error("podCidr", "expected node-spec, a CIDR or a list of one CIDR per IP family, got "
                    + YamlSection.describe(value));
            return Optional.empty();
        }
        List<IpPrefix> cidrs = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String key = value instanceof List ? "podCidr[" + i + "]" : "podCidr";
            Object item = items.get(i);
            if (!(item instanceof String text)) {
                s.error(key, "expected a CIDR, got " + YamlSection.describe(item));
                continue;
            }
            try {
                cidrs.add(IpPrefix.parse(text));
            } catch (IllegalArgumentException e) {
                s.error(key, e.getMessage());
            }
        }
        if (cidrs.size() != items.size()) {
            return Optional.empty();
        }
        if (cidrs.size() > 2 || cidrs.stream().map(IpPrefix::isIpv4).distinct().count() != cidrs.size()) {
            s.error("podCidr", "at most one CIDR per IP family, got " + cidrs);
            return Optional.empty();
        }
        return Optional.of(new PodCidrSource.Fixed(cidrs));
    }

    private static Optional<PathsConfig> paths(YamlSection s) {
        s.rejectUnknown(KEYS.get(PATHS));
        Optional<Path> state = s.absolutePath("stateDir", DEFAULT_STATE_DIR, false);
        Optional<Path> run = s.absolutePath("runDir", DEFAULT_RUN_DIR, false);
        Optional<Path> cni = s.absolutePath("cniSocket", DEFAULT_CNI_SOCKET, true);
        if (state.isEmpty() || run.isEmpty() || cni.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PathsConfig(state.get(), run.get(), cni.get()));
    }

    /**
     * Reads {@code controller}: required when a policy backend is chosen (the policies come from the
     * controller), accepted and checked otherwise.
     */
    private static Optional<ControllerConfig> controller(YamlSection root, Optional<Backends> backends) {
        Optional<String> policy = backends.flatMap(Backends::policy);
        if (!root.has(CONTROLLER)) {
            if (policy.isPresent()) {
                root.error(CONTROLLER, "required with backends.policy '" + policy.get()
                        + "': the NetworkPolicies come from the controller (address, caFile, tokenFile)");
            }
            return Optional.empty();
        }
        Optional<YamlSection> section = root.section(CONTROLLER);
        if (section.isEmpty()) {
            return Optional.empty();
        }
        YamlSection s = section.get();
        s.rejectUnknown(KEYS.get(CONTROLLER));
        Optional<URI> address = required(s, "address").flatMap(text -> controllerAddress(s, text));
        Optional<Path> caFile = required(s, "caFile").flatMap(text -> s.absolutePath("caFile", text, false));
        Optional<Path> tokenFile = required(s, "tokenFile").flatMap(text -> s.absolutePath("tokenFile", text, false));
        if (address.isEmpty() || caFile.isEmpty() || tokenFile.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new ControllerConfig(address.get(), caFile.get(), tokenFile.get()));
    }

    private static Optional<String> required(YamlSection s, String key) {
        if (!s.has(key)) {
            s.error(key, "required");
            return Optional.empty();
        }
        return s.string(key);
    }

    private static Optional<URI> controllerAddress(YamlSection s, String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            s.error("address", "'" + text + "' is not a URI: " + e.getReason());
            return Optional.empty();
        }
        if (!"https".equals(uri.getScheme())) {
            s.error("address", "must be an https:// URL (the channel is TLS only), got '" + text + "'");
            return Optional.empty();
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            s.error("address", "must name a host and a port (https://host:port), got '" + text + "'");
            return Optional.empty();
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
                || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            s.error("address", "must be just https://host:port (no path, query or user), got '" + text + "'");
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    /** Reads {@code settings}: every backend's section; returns the OVS one, typed. */
    private Optional<OvsConfig> settings(YamlSection root, Optional<Backends> backends, Map<String, BackendSettings> out) {
        YamlSection s = root.sectionOrEmpty(SETTINGS);
        Optional<OvsConfig> ovs = Optional.empty();
        for (String name : s.keys()) {
            Optional<TrellisBackend> backend = registry.find(name);
            if (backend.isEmpty()) {
                s.error(name, "unknown backend '" + name + "' (available: " + available() + ")");
                continue;
            }
            if (backends.isPresent() && !backends.get().used().contains(name)) {
                s.error(name, "backend '" + name + "' is not selected for any concern under backends");
                continue;
            }
            Optional<YamlSection> section = s.section(name);
            if (section.isEmpty()) {
                continue;
            }
            if (name.equals(OVS)) {
                ovs = ovs(section.get());
                continue;
            } else {
                List<String> known = List.copyOf(new TreeSet<>(backend.get().settingKeys()));
                for (String key : section.get().keys()) {
                    if (!known.contains(key)) {
                        section.get().error(key, known.isEmpty() ? "unknown key (backend '" + name + "' takes no settings)"
                                : "unknown key (known: " + String.join(", ", known) + ")");
                    }
                }
            }
            // Convert key by key so that every bad value is reported, not only the first.
            boolean valid = true;
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) s.raw(name)).entrySet()) {
                try {
                    BackendSettings.of(s.pathOf(name), java.util.Collections.singletonMap(entry.getKey(), entry.getValue()));
                } catch (BackendConfigException e) {
                    root.errorLine(e.getMessage());
                    valid = false;
                }
            }
            if (valid) {
                out.put(name, BackendSettings.of(s.pathOf(name), (Map<?, ?>) s.raw(name)));
            }
        }
        boolean ovsUsed = backends.map(b -> b.used().contains(OVS)).orElse(false);
        if (ovs.isEmpty() && ovsUsed && !s.has(OVS)) {
            ovs = ovs(s.sectionOrEmpty(OVS));
        }
        // The OVS backend sees the effective values, defaults filled in, not just what the file spelt out.
        ovs.ifPresent(o -> out.put(OVS, o.toSettings(s.pathOf(OVS))));
        return ovs;
    }

    private Optional<OvsConfig> ovs(YamlSection s) {
        s.rejectUnknown(KEYS.get(SETTINGS + "." + OVS));
        Optional<DatapathType> datapath = s.string("datapathType", DatapathType.SYSTEM.configName()).flatMap(name -> {
            Optional<DatapathType> type = DatapathType.fromConfigName(name);
            if (type.isEmpty()) {
                s.error("datapathType", "expected system or netdev, got '" + name + "'");
            }
            return type;
        });
        Optional<String> integration = bridge(s, "integrationBridge", DEFAULT_INTEGRATION_BRIDGE);
        Optional<String> uplink = bridge(s, "uplinkBridge", DEFAULT_UPLINK_BRIDGE);
        if (integration.isPresent() && integration.equals(uplink)) {
            s.error("uplinkBridge", "must differ from integrationBridge, both are '" + uplink.get() + "'");
            uplink = Optional.empty();
        }
        Optional<Path> ovsdb = s.absolutePath("ovsdbSocket", DEFAULT_OVSDB_SOCKET, true);
        Optional<Path> runDir = s.absolutePath("runDir", DEFAULT_OVS_RUN_DIR, false);
        Optional<NetdevOptions> netdev = Optional.empty();
        boolean netdevOk = true;
        if (s.has("netdev")) {
            if (datapath.isPresent() && datapath.get() != DatapathType.NETDEV) {
                s.error("netdev", "only valid with datapathType netdev (datapathType is '" + datapath.get().configName() + "')");
                netdevOk = false;
            } else {
                Optional<YamlSection> section = s.section("netdev");
                netdevOk = section.isPresent();
                if (section.isPresent()) {
                    netdev = netdev(section.get());
                    netdevOk = netdev.isPresent();
                }
            }
        }
        if (datapath.isEmpty() || integration.isEmpty() || uplink.isEmpty() || ovsdb.isEmpty() || runDir.isEmpty()
                || !netdevOk) {
            return Optional.empty();
        }
        return Optional.of(new OvsConfig(datapath.get(), integration.get(), uplink.get(), ovsdb.get(), runDir.get(), netdev));
    }

    private static Optional<String> bridge(YamlSection s, String key, String defaultValue) {
        Optional<String> name = s.string(key, defaultValue);
        if (name.isPresent() && !INTERFACE_NAME.matcher(name.get()).matches()) {
            s.error(key, "'" + name.get() + "' is not a valid interface name (1..15 letters, digits, '-', '_', '.')");
            return Optional.empty();
        }
        return name;
    }

    private static Optional<NetdevOptions> netdev(YamlSection s) {
        s.rejectUnknown(KEYS.get(SETTINGS + "." + OVS + ".netdev"));
        boolean ok = true;
        Optional<String> uplink = Optional.empty();
        if (s.has("uplinkInterface")) {
            uplink = s.string("uplinkInterface");
            if (uplink.isPresent() && !INTERFACE_NAME.matcher(uplink.get()).matches()) {
                s.error("uplinkInterface", "'" + uplink.get()
                        + "' is not a valid interface name (1..15 letters, digits, '-', '_', '.')");
                uplink = Optional.empty();
            }
            ok = uplink.isPresent();
        }
        Optional<String> mask = Optional.empty();
        if (s.has("pmdCpuMask")) {
            Object value = s.raw("pmdCpuMask");
            // Unquoted 0x3 is an integer to YAML 1.1: accept it and keep the hex form OVS expects.
            if (value instanceof Integer i && i > 0) {
                mask = Optional.of("0x" + Integer.toHexString(i));
            } else if (value instanceof String text && HEX_MASK.matcher(text).matches()) {
                mask = Optional.of(text);
            } else {
                s.error("pmdCpuMask", "expected a hex CPU mask such as 0x3, got " + YamlSection.describe(value));
                ok = false;
            }
        }
        return ok ? Optional.of(new NetdevOptions(uplink, mask)) : Optional.empty();
    }
}
