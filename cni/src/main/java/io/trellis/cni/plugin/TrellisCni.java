package io.trellis.cni.plugin;

import io.trellis.cni.json.JsonWriter;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code trellis-cni} executable's entry point (bin/trellis-cni starts it). */
public final class TrellisCni {
    private TrellisCni() {
    }

    public static void main(String[] args) {
        PluginOutcome outcome = execute(System.getenv(), System.in);
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        out.print(outcome.stdout());
        out.flush();
        if (!outcome.stderr().isEmpty()) {
            System.err.print(outcome.stderr());
            System.err.flush();
        }
        System.exit(outcome.exitCode());
    }

    /** One invocation against the agent's Unix socket: reads all of stdin, then runs the plugin. */
    static PluginOutcome execute(Map<String, String> env, InputStream stdin) {
        String config;
        try {
            config = new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            // Error code 5, I/O failure; no config could be read, so no cniVersion is known.
            Map<String, Object> err = new LinkedHashMap<>();
            err.put("cniVersion", CniVersion.latest().text());
            err.put("code", (long) CniError.IO_FAILURE);
            err.put("msg", "cannot read the network config from stdin: " + e.getMessage());
            return new PluginOutcome(1, JsonWriter.write(err) + "\n", "");
        }
        return new CniPlugin(AgentConnector.UNIX_SOCKET).run(env, config);
    }
}
