package io.trellis.controller.networkpolicy;

import java.net.InetAddress;

/** One end of a probed connection: a live pod (with its first IP) or an address outside the cluster (pod null). */
record Endpoint(PodInfo pod, InetAddress ip) {
    static Endpoint of(PodInfo pod) {
        return new Endpoint(pod, pod.ips().get(0));
    }

    static Endpoint external(InetAddress ip) {
        return new Endpoint(null, ip);
    }

    @Override
    public String toString() {
        return (pod == null ? "external" : pod.pod() + "@" + pod.node().orElse("?")) + "(" + ip.getHostAddress() + ")";
    }
}
