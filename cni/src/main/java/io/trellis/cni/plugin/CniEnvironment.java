package io.trellis.cni.plugin;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The CNI_* environment of one invocation, validated for its command (SPEC.md "Parameters"):
 * ADD and CHECK need CNI_CONTAINERID, CNI_NETNS and CNI_IFNAME; DEL needs CNI_CONTAINERID and
 * CNI_IFNAME (the netns may already be gone); STATUS, GC and VERSION need only CNI_COMMAND.
 * CNI_PATH is accepted but not required: trellis-cni delegates to no other plugin.
 */
public record CniEnvironment(CniCommand command, Optional<String> containerId, Optional<String> netns,
                             Optional<String> ifName, Map<String, String> args, Optional<String> path) {
    public CniEnvironment {
        requireNonNull(command, "command");
        requireNonNull(containerId, "containerId");
        requireNonNull(netns, "netns");
        requireNonNull(ifName, "ifName");
        args = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(args, "args")));
        requireNonNull(path, "path");
    }

    /** Reads CNI_COMMAND only; error code 4 when it is missing or unknown. */
    public static CniCommand command(Map<String, String> env) throws CniException {
        String text = env.get("CNI_COMMAND");
        if (text == null || text.isEmpty()) {
            throw new CniException(CniError.INVALID_ENVIRONMENT, "missing environment variable CNI_COMMAND",
                    "CNI_COMMAND must be one of ADD, DEL, CHECK, STATUS, GC, VERSION");
        }
        return CniCommand.parse(text).orElseThrow(() -> new CniException(CniError.INVALID_ENVIRONMENT,
                "invalid environment variable CNI_COMMAND='" + text + "'",
                "CNI_COMMAND must be one of ADD, DEL, CHECK, STATUS, GC, VERSION"));
    }

    /** Validates every variable {@code command} needs; one error listing all the problems (code 4). */
    public static CniEnvironment read(Map<String, String> env, CniCommand command) throws CniException {
        List<String> problems = new ArrayList<>();
        boolean attachment = command.isAttachmentCommand();
        boolean needsNetns = command == CniCommand.ADD || command == CniCommand.CHECK;

        Optional<String> containerId = value(env, "CNI_CONTAINERID");
        if (attachment) {
            if (containerId.isEmpty()) {
                problems.add("missing CNI_CONTAINERID");
            } else if (!isValidContainerId(containerId.get())) {
                problems.add("CNI_CONTAINERID='" + containerId.get() + "' must start with a letter or digit followed by"
                        + " letters, digits, '_', '.' or '-'");
            }
        }
        Optional<String> netns = value(env, "CNI_NETNS");
        if (needsNetns && netns.isEmpty()) {
            problems.add("missing CNI_NETNS");
        }
        Optional<String> ifName = value(env, "CNI_IFNAME");
        if (attachment) {
            if (ifName.isEmpty()) {
                problems.add("missing CNI_IFNAME");
            } else {
                ifNameProblem(ifName.get()).ifPresent(p -> problems.add("CNI_IFNAME='" + ifName.get() + "' " + p));
            }
        }
        Map<String, String> args = new LinkedHashMap<>();
        String argsText = env.getOrDefault("CNI_ARGS", "");
        for (String pair : argsText.split(";", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                problems.add("CNI_ARGS='" + argsText + "' has the pair '" + pair + "', expected KEY=VALUE");
            } else if (args.putIfAbsent(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
                problems.add("CNI_ARGS='" + argsText + "' sets " + pair.substring(0, eq) + " twice");
            }
        }
        if (!problems.isEmpty()) {
            String msg = (problems.size() == 1 ? "invalid environment variable: " : "invalid environment variables: ")
                    + String.join("; ", problems);
            throw new CniException(CniError.INVALID_ENVIRONMENT, msg, "CNI_COMMAND=" + command + " needs "
                    + (attachment ? "CNI_CONTAINERID, " + (needsNetns ? "CNI_NETNS, " : "") + "CNI_IFNAME" : "no other variable"));
        }
        return new CniEnvironment(command, attachment ? containerId : Optional.empty(), netns,
                attachment ? ifName : Optional.empty(), args, value(env, "CNI_PATH"));
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        String v = env.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    static boolean isValidContainerId(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
            if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) {
                return false;
            }
        }
        return !id.isEmpty();
    }

    /** Linux interface name rules as the spec states them: 1..15 characters, not . or .., no / : or whitespace. */
    static Optional<String> ifNameProblem(String name) {
        if (name.length() > 15) {
            return Optional.of("is longer than 15 characters");
        }
        if (name.equals(".") || name.equals("..")) {
            return Optional.of("must not be . or ..");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == ':' || Character.isWhitespace(c)) {
                return Optional.of("must not contain '/', ':' or whitespace");
            }
        }
        return Optional.empty();
    }
}
