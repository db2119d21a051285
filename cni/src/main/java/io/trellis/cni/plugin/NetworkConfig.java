package io.trellis.cni.plugin;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.json.JsonFieldException;
import io.trellis.cni.json.JsonObject;
import io.trellis.cni.model.AttachmentId;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import io.trellis.cni.spec.CniVersion;
import io.trellis.cni.spec.ResultCodec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The members of the network config (stdin) that trellis-cni itself reads. Everything else
 * (ipam, dns, args, runtimeConfig, capabilities, unknown keys) goes to the agent untouched in the
 * raw text.
 *
 * <pre>
 * {"cniVersion": "1.0.0", "name": "trellis", "type": "trellis-cni",
 *  "agentSocket": "/var/run/trellis/cni.sock",   (optional, this default)
 *  "agentTimeoutSeconds": 60}                      (optional, 1..3600, this default)
 * </pre>
 */
public record NetworkConfig(CniVersion cniVersion, String name, Path agentSocket, Duration agentTimeout,
                            Optional<JsonObject> prevResultJson, Optional<CniResult> prevResult,
                            List<AttachmentId> validAttachments, String raw) {
    public static final Path DEFAULT_AGENT_SOCKET = Path.of("/var/run/trellis/cni.sock");
    public static final int DEFAULT_TIMEOUT_SECONDS = 60;

    public NetworkConfig {
        requireNonNull(cniVersion, "cniVersion");
        requireNonNull(name, "name");
        requireNonNull(agentSocket, "agentSocket");
        requireNonNull(agentTimeout, "agentTimeout");
        requireNonNull(prevResultJson, "prevResultJson");
        requireNonNull(prevResult, "prevResult");
        validAttachments = List.copyOf(requireNonNull(validAttachments, "validAttachments"));
        requireNonNull(raw, "raw");
    }

    /**
     * The config's {@code cniVersion}, or error code 1 when it is missing or not one of ours (a
     * config without one is a pre-0.2.0 config, which this plugin does not speak).
     */
    public static CniVersion version(JsonObject json) throws CniException {
        Object v = json.members().get("cniVersion");
        if (v == null) {
            throw new CniException(CniError.INCOMPATIBLE_VERSION, "incompatible CNI version: the network config has no"
                    + " cniVersion (that means 0.1.0)", supported());
        }
        if (!(v instanceof String)) {
            throw new CniException(CniError.INCOMPATIBLE_VERSION, "incompatible CNI version: cniVersion is "
                    + JsonObject.describe(v) + ", expected a version string", supported());
        }
        return CniVersion.parse((String) v).orElseThrow(() -> new CniException(CniError.INCOMPATIBLE_VERSION,
                "incompatible CNI version: cniVersion \"" + v + "\" is not supported", supported()));
    }

    private static String supported() {
        return "trellis-cni supports cniVersion " + String.join(", ", CniVersion.supportedTexts());
    }

    /** Reads and checks the members trellis-cni uses; error code 7 naming the member and its value. */
    public static NetworkConfig from(JsonObject json, CniVersion version, CniCommand command, String raw)
            throws CniException {
        try {
            String name = json.requireString("name");
            if (name.isEmpty()) {
                throw new JsonFieldException("name", "must not be empty");
            }
            Path socket = json.optString("agentSocket").map(s -> {
                if (!s.startsWith("/")) {
                    throw new JsonFieldException("agentSocket", "must be an absolute path, got \"" + s + "\"");
                }
                return Path.of(s);
            }).orElse(DEFAULT_AGENT_SOCKET);
            int timeout = json.optInt("agentTimeoutSeconds").orElse(DEFAULT_TIMEOUT_SECONDS);
            if (timeout < 1 || timeout > 3600) {
                throw new JsonFieldException("agentTimeoutSeconds", "must be 1..3600, got " + timeout);
            }
            Optional<JsonObject> prevJson = json.optObject("prevResult");
            Optional<CniResult> prev = prevJson.map(ResultCodec::parse);
            if (command == CniCommand.CHECK && prev.isEmpty()) {
                throw new JsonFieldException("prevResult", "is required for CHECK (the result of the ADD to check)");
            }
            List<AttachmentId> valid = new ArrayList<>();
            if (command == CniCommand.GC) {
                // libcni sends the list as both keys (cni.dev/attachments was a spec typo, containernetworking/cni#1101).
                String key = json.members().containsKey("cni.dev/valid-attachments") ? "cni.dev/valid-attachments"
                        : "cni.dev/attachments";
                if (!json.members().containsKey(key)) {
                    throw new JsonFieldException("cni.dev/valid-attachments",
                            "is required for GC (without it every attachment would look stale)");
                }
                for (JsonObject a : json.optObjects(key)) {
                    String containerId = a.requireString("containerID");
                    String ifName = a.requireString("ifname");
                    if (containerId.isEmpty() || ifName.isEmpty()) {
                        throw new JsonFieldException(a.path(), "containerID and ifname must not be empty");
                    }
                    valid.add(new AttachmentId(containerId, ifName));
                }
            }
            return new NetworkConfig(version, name, socket, Duration.ofSeconds(timeout), prevJson, prev, valid, raw);
        } catch (JsonFieldException e) {
            throw new CniException(CniError.INVALID_CONFIG, "invalid network config: " + e.getMessage());
        }
    }
}
