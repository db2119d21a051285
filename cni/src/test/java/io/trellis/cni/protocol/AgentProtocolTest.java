package io.trellis.cni.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.cni.model.AttachmentId;
import io.trellis.cni.spec.CniCommand;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.testing.SampleResults;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentProtocolTest {
    static final String CONFIG = "{\n \"cniVersion\": \"1.0.0\",\n \"name\": \"trellis\"\n}";

    @Test
    void requestsRoundTripOnOneLine() {
        CniRequest add = new CniRequest(CniCommand.ADD, "1.0.0", "trellis", Optional.of("c1"), Optional.of("eth0"),
                Optional.of("/var/run/netns/p"), Map.of("K8S_POD_NAMESPACE", "x", "K8S_POD_NAME", "a"), CONFIG,
                Optional.of(SampleResults.dualStack("/var/run/netns/p")), List.of());
        String line = AgentProtocol.encodeRequest(add);
        assertThat(line).doesNotContain("\n").startsWith("{\"protocol\":1,\"command\":\"ADD\"");
        assertThat(AgentProtocol.decodeRequest(line)).isEqualTo(add);

        CniRequest gc = new CniRequest(CniCommand.GC, "1.1.0", "trellis", Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of(), CONFIG, Optional.empty(), List.of(new AttachmentId("c1", "eth0")));
        assertThat(AgentProtocol.decodeRequest(AgentProtocol.encodeRequest(gc))).isEqualTo(gc);
    }

    @Test
    void repliesRoundTrip() {
        CniReply ok = CniReply.success(SampleResults.dualStack("/p"));
        assertThat(AgentProtocol.decodeReply(AgentProtocol.encodeReply(ok))).isEqualTo(ok);
        assertThat(AgentProtocol.decodeReply(AgentProtocol.encodeReply(CniReply.success()))).isEqualTo(CniReply.success());
        CniReply failure = CniReply.failure(new CniError(11, "busy", "details"));
        assertThat(AgentProtocol.decodeReply(AgentProtocol.encodeReply(failure))).isEqualTo(failure);
    }

    @Test
    void badMessagesNameTheProblem() {
        assertThatThrownBy(() -> AgentProtocol.decodeRequest("{\"protocol\":2}")).isInstanceOf(ProtocolException.class)
                .hasMessage("request has protocol number 2, expected 1");
        assertThatThrownBy(() -> AgentProtocol.decodeRequest("{\"protocol\":1,\"command\":\"FOO\"}"))
                .hasMessage("bad request: field 'command': unknown command \"FOO\"");
        assertThatThrownBy(() -> AgentProtocol.decodeRequest("{\"protocol\":1,\"command\":\"ADD\",\"cniVersion\":\"1.0.0\","
                + "\"network\":\"n\",\"args\":{},\"config\":\"{}\"}"))
                .hasMessage("bad request: ADD needs a container id and an interface name");
        assertThatThrownBy(() -> AgentProtocol.decodeReply("{\"protocol\":1,\"ok\":false,\"error\":{\"msg\":\"x\"}}"))
                .hasMessage("bad reply: field 'error.code': is required");
        assertThatThrownBy(() -> AgentProtocol.decodeReply("nope")).hasMessageStartingWith("reply is not a JSON object: ");
    }

    @Test
    void framingIsOneLinePerMessageAndATruncatedMessageIsAnError() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AgentProtocol.writeMessage(Channels.newChannel(out), "{\"a\":\"x\\ny\"}");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("{\"a\":\"x\\ny\"}\n");
        assertThat(AgentProtocol.readMessage(Channels.newChannel(new ByteArrayInputStream(out.toByteArray()))))
                .isEqualTo("{\"a\":\"x\\ny\"}");
        assertThatThrownBy(() -> AgentProtocol.readMessage(Channels.newChannel(new ByteArrayInputStream(
                "{\"a\":".getBytes(StandardCharsets.UTF_8))))).isInstanceOf(ProtocolException.class)
                .hasMessage("connection closed after 5 bytes of an unterminated message");
    }
}
