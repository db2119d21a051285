package io.trellis.cni.protocol;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;

/** Sends one request to the agent's Unix socket and waits for its reply, within a deadline. */
public final class AgentClient {
    private final Path socket;
    private final Duration timeout;

    public AgentClient(Path socket, Duration timeout) {
        this.socket = requireNonNull(socket, "socket");
        this.timeout = requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + timeout);
        }
    }

    /**
     * @throws AgentUnreachableException the agent is not listening, hung up without a reply, or
     *                                   did not reply within the timeout
     * @throws ProtocolException         the agent replied with something that is not a reply
     */
    public CniReply call(CniRequest request) throws AgentUnreachableException {
        String message = AgentProtocol.encodeRequest(request);
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new AgentUnreachableException("cannot create a Unix socket: " + e.getMessage(), e);
        }
        // Blocking Unix channels have no read timeout; a watchdog closes the channel at the
        // deadline, which makes the blocked read fail.
        Watchdog watchdog = new Watchdog(channel, timeout);
        try (channel) {
            watchdog.start();
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                throw new AgentUnreachableException("connect to " + socket + ": " + reason(e), e);
            }
            String line;
            try {
                AgentProtocol.writeMessage(channel, message);
                line = AgentProtocol.readMessage(channel);
            } catch (IOException | ProtocolException e) {
                if (watchdog.fired()) {
                    throw new AgentUnreachableException("the agent at " + socket + " did not answer within "
                            + timeout.toSeconds() + "s", e);
                }
                throw new AgentUnreachableException("the agent at " + socket + " hung up without answering: "
                        + reason(e), e);
            }
            return AgentProtocol.decodeReply(line);
        } catch (IOException closeFailure) {
            throw new AgentUnreachableException("closing the connection to " + socket + ": " + reason(closeFailure),
                    closeFailure);
        } finally {
            watchdog.interrupt();
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static final class Watchdog extends Thread {
        private final SocketChannel channel;
        private final Duration timeout;
        private volatile boolean fired;

        Watchdog(SocketChannel channel, Duration timeout) {
            super("trellis-cni-deadline");
            this.channel = channel;
            this.timeout = timeout;
            setDaemon(true);
        }

        @Override
        public void run() {
            try {
                Thread.sleep(timeout.toMillis());
                fired = true;
                channel.close();
            } catch (InterruptedException | IOException done) {
                // Interrupted: the exchange finished in time. A close failure leaves nothing to do.
            }
        }

        boolean fired() {
            return fired;
        }
    }
}
