package io.trellis.controller.nodeipam;

/** Tells the cluster admin that a node could not get a pod CIDR (production: a log line and a Kubernetes Event). */
public interface AllocationFailureReporter {
    /**
     * @param nodeName the node left without a pod CIDR
     * @param reason   a short CamelCase reason, e.g. {@code CIDRNotAvailable}
     * @param message  the whole explanation, naming the node and the cluster CIDR
     */
    void report(String nodeName, String reason, String message);
}
