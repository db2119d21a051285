package io.trellis.bench;

import static java.util.Objects.requireNonNull;

/** Two pods on different nodes of one setup: the iperf3 client runs in {@code client}, the server in {@code server}. */
record PodPair(PodEndpoint client, PodEndpoint server) {
    PodPair {
        requireNonNull(client, "client");
        requireNonNull(server, "server");
        if (client.netns().equals(server.netns())) {
            throw new IllegalArgumentException("client and server share the namespace " + client.netns());
        }
    }
}
