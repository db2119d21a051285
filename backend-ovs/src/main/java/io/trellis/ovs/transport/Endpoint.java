package io.trellis.ovs.transport;

import static java.util.Objects.requireNonNull;

import io.netty.channel.unix.DomainSocketAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;

/**
 * Where an OVS daemon listens: a Unix domain socket ({@code unix:/path}) or TCP
 * ({@code tcp:host:port}), written the way OVS itself writes connection targets.
 */
public sealed interface Endpoint {

    /** The Netty address to connect to. */
    SocketAddress socketAddress();

    /** A Unix domain socket, such as {@code /var/run/openvswitch/db.sock} or {@code br-int.mgmt}. */
    record Unix(Path path) implements Endpoint {
        public Unix {
            requireNonNull(path, "path");
        }

        @Override
        public SocketAddress socketAddress() {
            return new DomainSocketAddress(path.toString());
        }

        @Override
        public String toString() {
            return "unix:" + path;
        }
    }

    /** A TCP endpoint; OVS listens on one with {@code ptcp:PORT}. */
    record Tcp(String host, int port) implements Endpoint {
        public Tcp {
            requireNonNull(host, "host");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535, got " + port);
            }
        }

        @Override
        public SocketAddress socketAddress() {
            return new InetSocketAddress(host, port);
        }

        @Override
        public String toString() {
            return "tcp:" + host + ":" + port;
        }
    }

    static Endpoint unix(Path path) {
        return new Unix(path);
    }

    /** Parses {@code unix:PATH} or {@code tcp:HOST:PORT}; a bare absolute path means a Unix socket. */
    static Endpoint parse(String target) {
        requireNonNull(target, "target");
        if (target.startsWith("unix:")) {
            return new Unix(Path.of(target.substring("unix:".length())));
        }
        if (target.startsWith("/")) {
            return new Unix(Path.of(target));
        }
        if (target.startsWith("tcp:")) {
            String rest = target.substring("tcp:".length());
            int colon = rest.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("endpoint '" + target + "': expected tcp:HOST:PORT");
            }
            try {
                return new Tcp(rest.substring(0, colon), Integer.parseInt(rest.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("endpoint '" + target + "': port is not a number", e);
            }
        }
        throw new IllegalArgumentException("endpoint '" + target + "': expected unix:PATH or tcp:HOST:PORT");
    }
}
