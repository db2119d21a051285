package io.trellis.cni.plugin;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.json.JsonFieldException;
import io.trellis.cni.json.JsonObject;
import io.trellis.cni.json.JsonSyntaxException;
import io.trellis.cni.json.JsonWriter;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.protocol.AgentUnreachableException;
import io.trellis.cni.protocol.CniReply;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.protocol.ProtocolException;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import io.trellis.cni.spec.CniVersion;
import io.trellis.cni.spec.ResultCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One CNI invocation, from environment and stdin to stdout and exit code. Validation happens in
 * the order a runtime's mistakes are most usefully reported: CNI_COMMAND, stdin JSON (code 6),
 * cniVersion (code 1) and whether it knows the command (CHECK from 0.4.0, STATUS/GC from 1.1.0:
 * code 1), the other variables (code 4), then the config's own members (code 7).
 *
 * <p>Agent unreachable (not running, restarting, or not answering in time): error 11 "try again
 * later" for ADD, DEL, CHECK and GC, so the runtime retries (kubelet retries both sandbox set-up
 * and tear-down). DEL deliberately does not report success then: the agent would keep the pod's
 * address and ports until a later GC, and the runtime would not ask again. STATUS answers 50
 * "plugin not available" instead, as SPEC 1.1.0 defines it. A DEL the agent answers with code 3
 * (no such container) is a success: there is nothing left to delete.
 */
public final class CniPlugin {
    private final AgentConnector agent;

    public CniPlugin(AgentConnector agent) {
        this.agent = requireNonNull(agent, "agent");
    }

    public PluginOutcome run(Map<String, String> env, String stdin) {
        CniVersion errorVersion = CniVersion.latest();
        try {
            CniCommand command = CniEnvironment.command(env);
            if (command == CniCommand.VERSION) {
                return version(stdin);
            }
            JsonObject json = parseConfig(stdin);
            CniVersion version = NetworkConfig.version(json);
            errorVersion = version;
            if (version.compareTo(command.since()) < 0) {
                throw new CniException(CniError.INCOMPATIBLE_VERSION, "incompatible CNI version: " + command
                        + " needs cniVersion " + command.since() + " or later, the network config has " + version);
            }
            CniEnvironment environment = CniEnvironment.read(env, command);
            NetworkConfig config = NetworkConfig.from(json, version, command, stdin);
            return forward(environment, config);
        } catch (CniException e) {
            return error(errorVersion, e.error());
        } catch (RuntimeException e) {
            // A bug in trellis-cni itself: still a spec error, never a Java stack trace on stdout.
            return error(errorVersion, new CniError(CniError.AGENT_FAILURE, "trellis-cni internal error: " + e,
                    Optional.empty()));
        }
    }

    private static JsonObject parseConfig(String stdin) throws CniException {
        if (stdin.isBlank()) {
            throw new CniException(CniError.DECODE_FAILURE, "no network config on stdin",
                    "the runtime must write the network config JSON to the plugin's stdin");
        }
        try {
            return JsonObject.parse(stdin, "network config");
        } catch (JsonSyntaxException e) {
            throw new CniException(CniError.DECODE_FAILURE, "network config on stdin is not valid JSON: "
                    + e.getMessage());
        } catch (JsonFieldException e) {
            throw new CniException(CniError.DECODE_FAILURE, "invalid network config on stdin: " + e.getMessage());
        }
    }

    private static PluginOutcome version(String stdin) throws CniException {
        CniVersion answer = CniVersion.latest();
        if (!stdin.isBlank()) {
            JsonObject json = parseConfig(stdin);
            Object requested = json.members().get("cniVersion");
            if (requested instanceof String) {
                answer = CniVersion.parse((String) requested).orElse(answer);
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", answer.text());
        out.put("supportedVersions", CniVersion.supportedTexts());
        return new PluginOutcome(0, JsonWriter.write(out) + "\n", "");
    }

    private PluginOutcome forward(CniEnvironment env, NetworkConfig config) throws CniException {
        CniCommand command = env.command();
        CniRequest request = new CniRequest(command, config.cniVersion().text(), config.name(), env.containerId(),
                env.ifName(), env.netns(), env.args(), config.raw(), config.prevResult(), config.validAttachments());
        CniReply reply;
        try {
            reply = agent.call(config.agentSocket(), config.agentTimeout(), request);
        } catch (AgentUnreachableException e) {
            String details = e.getMessage() + "; is the trellis agent running on this node?";
            if (command == CniCommand.STATUS) {
                throw new CniException(CniError.NOT_AVAILABLE, "trellis agent unreachable", details);
            }
            throw new CniException(CniError.TRY_AGAIN_LATER, "trellis agent unreachable, try again later", details);
        } catch (ProtocolException e) {
            throw new CniException(CniError.AGENT_PROTOCOL, "unreadable reply from the trellis agent at "
                    + config.agentSocket(), e.getMessage());
        }
        if (reply instanceof CniReply.Failure) {
            CniError error = ((CniReply.Failure) reply).error();
            if (command == CniCommand.DEL && error.code() == CniError.UNKNOWN_CONTAINER) {
                return new PluginOutcome(0, "", "trellis-cni: DEL of an attachment the agent does not know: "
                        + error.msg() + "\n");
            }
            throw new CniException(error);
        }
        Optional<CniResult> result = ((CniReply.Success) reply).result();
        if (command != CniCommand.ADD) {
            return new PluginOutcome(0, "", "");
        }
        if (result.isEmpty()) {
            throw new CniException(CniError.AGENT_PROTOCOL, "the trellis agent answered ADD without a result");
        }
        Map<String, Object> out = config.prevResultJson()
                .map(prev -> ResultCodec.merge(prev, result.get(), config.cniVersion()))
                .orElseGet(() -> ResultCodec.render(result.get(), config.cniVersion()));
        return new PluginOutcome(0, JsonWriter.write(out) + "\n", "");
    }

    private static PluginOutcome error(CniVersion version, CniError error) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cniVersion", version.text());
        out.put("code", (long) error.code());
        out.put("msg", error.msg());
        error.details().ifPresent(d -> out.put("details", d));
        return new PluginOutcome(1, JsonWriter.write(out) + "\n", "trellis-cni: " + error + "\n");
    }
}
