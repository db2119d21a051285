package io.trellis.cni.plugin;

import io.trellis.cni.protocol.AgentClient;
import io.trellis.cni.protocol.AgentUnreachableException;
import io.trellis.cni.protocol.CniReply;
import io.trellis.cni.protocol.CniRequest;
import java.nio.file.Path;
import java.time.Duration;

/** How the plugin reaches the agent; the executable uses {@link #UNIX_SOCKET}, unit tests a fake. */
@FunctionalInterface
public interface AgentConnector {
    AgentConnector UNIX_SOCKET = (socket, timeout, request) -> new AgentClient(socket, timeout).call(request);

    CniReply call(Path socket, Duration timeout, CniRequest request) throws AgentUnreachableException;
}
