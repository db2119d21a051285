package io.trellis.cni.protocol;

import io.trellis.cni.json.JsonFieldException;
import io.trellis.cni.json.JsonObject;
import io.trellis.cni.json.JsonSyntaxException;
import io.trellis.cni.json.JsonWriter;
import io.trellis.cni.model.AttachmentId;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.ResultCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The executable ↔ agent protocol on the agent's Unix stream socket. One exchange per connection:
 * the executable connects, writes one request, the agent writes one reply, both close.
 *
 * <p>Each message is one line: a compact JSON object in UTF-8 followed by {@code \n} (JSON escapes
 * line breaks inside strings, so a line is always a whole message), at most {@link #MAX_MESSAGE}
 * bytes. Every message carries {@code "protocol": 1}.
 *
 * <pre>
 * request: {"protocol":1,"command":"ADD","cniVersion":"1.0.0","network":"trellis",
 *           "containerId":"c1","ifName":"eth0","netns":"/var/run/netns/p1",
 *           "args":{"K8S_POD_NAMESPACE":"x","K8S_POD_NAME":"a"},
 *           "config":"{...stdin exactly...}", "prevResult":{...neutral...},
 *           "validAttachments":[{"containerId":"c1","ifName":"eth0"}]}
 * reply:   {"protocol":1,"ok":true,"result":{"interfaces":[...],"ips":[...],"routes":[...],"dns":{...}}}
 *          {"protocol":1,"ok":false,"error":{"code":11,"msg":"...","details":"..."}}
 * </pre>
 * Results are in the neutral form of {@link ResultCodec#renderNeutral} (the CNI 1.1.0 layout
 * without cniVersion); absent optional members are left out.
 */
public final class AgentProtocol {
    public static final int VERSION = 1;
    public static final int MAX_MESSAGE = 4 * 1024 * 1024;

    private AgentProtocol() {
    }

    public static String encodeRequest(CniRequest r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", (long) VERSION);
        m.put("command", r.command().name());
        m.put("cniVersion", r.cniVersion());
        m.put("network", r.network());
        r.containerId().ifPresent(v -> m.put("containerId", v));
        r.ifName().ifPresent(v -> m.put("ifName", v));
        r.netns().ifPresent(v -> m.put("netns", v));
        m.put("args", new LinkedHashMap<>(r.args()));
        m.put("config", r.networkConfig());
        r.prevResult().ifPresent(p -> m.put("prevResult", ResultCodec.renderNeutral(p)));
        if (!r.validAttachments().isEmpty() || r.command() == CniCommand.GC) {
            List<Object> list = new ArrayList<>();
            for (AttachmentId a : r.validAttachments()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("containerId", a.containerId());
                e.put("ifName", a.ifName());
                list.add(e);
            }
            m.put("validAttachments", list);
        }
        return JsonWriter.write(m);
    }

    public static CniRequest decodeRequest(String line) {
        JsonObject o = parse(line, "request");
        try {
            String commandText = o.requireString("command");
            CniCommand command = CniCommand.parse(commandText)
                    .orElseThrow(() -> new JsonFieldException("command", "unknown command \"" + commandText + "\""));
            Map<String, String> args = new LinkedHashMap<>();
            o.optObject("args").ifPresent(a -> {
                for (String key : a.members().keySet()) {
                    args.put(key, a.requireString(key));
                }
            });
            Optional<CniResult> prev = o.optObject("prevResult").map(ResultCodec::parse);
            List<AttachmentId> valid = new ArrayList<>();
            for (JsonObject a : o.optObjects("validAttachments")) {
                valid.add(new AttachmentId(a.requireString("containerId"), a.requireString("ifName")));
            }
            return new CniRequest(command, o.requireString("cniVersion"), o.requireString("network"),
                    o.optString("containerId"), o.optString("ifName"), o.optString("netns"), args,
                    o.requireString("config"), prev, valid);
        } catch (JsonFieldException | IllegalArgumentException e) {
            throw new ProtocolException("bad request: " + e.getMessage(), e);
        }
    }

    public static String encodeReply(CniReply reply) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("protocol", (long) VERSION);
        if (reply instanceof CniReply.Success) {
            m.put("ok", Boolean.TRUE);
            ((CniReply.Success) reply).result().ifPresent(r -> m.put("result", ResultCodec.renderNeutral(r)));
        } else {
            CniError error = ((CniReply.Failure) reply).error();
            m.put("ok", Boolean.FALSE);
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("code", (long) error.code());
            e.put("msg", error.msg());
            error.details().ifPresent(d -> e.put("details", d));
            m.put("error", e);
        }
        return JsonWriter.write(m);
    }

    public static CniReply decodeReply(String line) {
        JsonObject o = parse(line, "reply");
        try {
            Boolean ok = o.optBoolean("ok").orElseThrow(() -> new JsonFieldException("ok", "is required"));
            if (ok) {
                return new CniReply.Success(o.optObject("result").map(ResultCodec::parse));
            }
            JsonObject e = o.optObject("error").orElseThrow(() -> new JsonFieldException("error", "is required"));
            int code = e.optInt("code").orElseThrow(() -> new JsonFieldException("error.code", "is required"));
            return new CniReply.Failure(new CniError(code, e.requireString("msg"), e.optString("details")));
        } catch (JsonFieldException | IllegalArgumentException e) {
            throw new ProtocolException("bad reply: " + e.getMessage(), e);
        }
    }

    private static JsonObject parse(String line, String what) {
        JsonObject o;
        try {
            o = JsonObject.parse(line, what);
        } catch (JsonSyntaxException | JsonFieldException e) {
            throw new ProtocolException(what + " is not a JSON object: " + e.getMessage(), e);
        }
        Object version = o.members().get("protocol");
        if (!Long.valueOf(VERSION).equals(version)) {
            throw new ProtocolException(what + " has protocol " + JsonObject.describe(version) + ", expected " + VERSION);
        }
        return o;
    }

    /** Writes one message and its newline. */
    public static void writeMessage(WritableByteChannel channel, String json) throws IOException {
        byte[] bytes = (json + "\n").getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_MESSAGE) {
            throw new ProtocolException("message of " + bytes.length + " bytes exceeds the limit of " + MAX_MESSAGE);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
    }

    /**
     * Reads one message up to its newline. Throws {@link ProtocolException} when the peer closes
     * before a whole line (a crashed agent or a truncated message) or the line is too long.
     */
    public static String readMessage(ReadableByteChannel channel) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(512);
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (true) {
            buf.clear();
            int n = channel.read(buf);
            if (n < 0) {
                throw new ProtocolException(line.size() == 0 ? "connection closed without a message"
                        : "connection closed after " + line.size() + " bytes of an unterminated message");
            }
            byte[] a = buf.array();
            for (int i = 0; i < n; i++) {
                if (a[i] == '\n') {
                    line.write(a, 0, i);
                    return line.toString(StandardCharsets.UTF_8);
                }
            }
            line.write(a, 0, n);
            if (line.size() > MAX_MESSAGE) {
                throw new ProtocolException("message exceeds the limit of " + MAX_MESSAGE + " bytes");
            }
        }
    }
}
