package io.trellis.ovs.openflow.client;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.OfVersion;
import io.trellis.ovs.transport.Backoff;
import java.time.Duration;
import java.util.List;

/**
 * Settings of an {@link OpenFlowClient}.
 *
 * @param versions        versions offered in the hello; the highest common one is used
 * @param connectTimeout  socket connect timeout
 * @param requestTimeout  time to wait for a reply (also bounds the handshake)
 * @param bundleTimeout   time to wait for a whole bundle or confirmed batch (large ones take seconds)
 * @param echoInterval    read-idle time after which an echo request is sent; a second idle period
 *                        without any message closes the connection (unless requests are pending,
 *                        e.g. a long bundle commit: their own timeouts apply then)
 * @param backoff         reconnect delays
 * @param packetIn2       ask OVS for NXT_PACKET_IN2 (with registers, ct_state, userdata) on connect
 */
public record OpenFlowClientConfig(List<OfVersion> versions, Duration connectTimeout, Duration requestTimeout,
        Duration bundleTimeout, Duration echoInterval, Backoff backoff, boolean packetIn2) {

    public static final OpenFlowClientConfig DEFAULT = new OpenFlowClientConfig(List.of(OfVersion.OF13, OfVersion.OF15),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofSeconds(5),
            Backoff.DEFAULT, true);

    public OpenFlowClientConfig {
        versions = List.copyOf(requireNonNull(versions, "versions"));
        if (versions.isEmpty()) {
            throw new IllegalArgumentException("versions: offer at least one OpenFlow version");
        }
        positive("connectTimeout", connectTimeout);
        positive("requestTimeout", requestTimeout);
        positive("bundleTimeout", bundleTimeout);
        positive("echoInterval", echoInterval);
        requireNonNull(backoff, "backoff");
    }

    private static void positive(String name, Duration d) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + d);
        }
    }

    public OpenFlowClientConfig withVersions(OfVersion... versions) {
        return new OpenFlowClientConfig(List.of(versions), connectTimeout, requestTimeout, bundleTimeout, echoInterval,
                backoff, packetIn2);
    }

    public OpenFlowClientConfig withRequestTimeout(Duration requestTimeout) {
        return new OpenFlowClientConfig(versions, connectTimeout, requestTimeout, bundleTimeout, echoInterval, backoff,
                packetIn2);
    }

    public OpenFlowClientConfig withBundleTimeout(Duration bundleTimeout) {
        return new OpenFlowClientConfig(versions, connectTimeout, requestTimeout, bundleTimeout, echoInterval, backoff,
                packetIn2);
    }

    public OpenFlowClientConfig withEchoInterval(Duration echoInterval) {
        return new OpenFlowClientConfig(versions, connectTimeout, requestTimeout, bundleTimeout, echoInterval, backoff,
                packetIn2);
    }

    public OpenFlowClientConfig withBackoff(Backoff backoff) {
        return new OpenFlowClientConfig(versions, connectTimeout, requestTimeout, bundleTimeout, echoInterval, backoff,
                packetIn2);
    }

    public OpenFlowClientConfig withPacketIn2(boolean packetIn2) {
        return new OpenFlowClientConfig(versions, connectTimeout, requestTimeout, bundleTimeout, echoInterval, backoff,
                packetIn2);
    }
}
