package io.trellis.e2e;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A pod after a successful CNI ADD, as its result describes it.
 *
 * @param netns         the pod's namespace
 * @param containerId   CNI_CONTAINERID
 * @param podNamespace  K8S_POD_NAMESPACE
 * @param podName       K8S_POD_NAME
 * @param ip            the pod's IPv4 address (without prefix length)
 * @param prefixLength  its prefix length
 * @param gateway       the gateway the result names for it
 * @param mac           the MAC of the pod's eth0
 * @param hostInterface the host end of its veth (the first interface of the result)
 * @param result        the ADD result as printed by trellis-cni
 */
public record AttachedPod(PodNetns netns, String containerId, String podNamespace, String podName, String ip,
                          int prefixLength, String gateway, String mac, String hostInterface, String result) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public AttachedPod {
        requireNonNull(netns, "netns");
        requireNonNull(containerId, "containerId");
        requireNonNull(podNamespace, "podNamespace");
        requireNonNull(podName, "podName");
        requireNonNull(ip, "ip");
        requireNonNull(gateway, "gateway");
        requireNonNull(mac, "mac");
        requireNonNull(hostInterface, "hostInterface");
        requireNonNull(result, "result");
    }

    /**
     * Reads a CNI 1.0.0 ADD result: {@code interfaces[0]} the host end, {@code interfaces[ips[0].interface]}
     * the pod's eth0 with its MAC, {@code ips[0]} its address and gateway.
     */
    public static AttachedPod fromResult(PodNetns netns, String containerId, String podNamespace, String podName,
                                         String result) {
        try {
            JsonNode root = JSON.readTree(result);
            JsonNode ip = required(root, "ips").get(0);
            if (ip == null) {
                throw new IllegalArgumentException("ADD result has no ips: " + result);
            }
            String[] cidr = required(ip, "address").asText().split("/");
            JsonNode interfaces = required(root, "interfaces");
            JsonNode pod = interfaces.get(required(ip, "interface").asInt());
            JsonNode host = interfaces.get(0);
            if (pod == null || host == null || pod == host) {
                throw new IllegalArgumentException("ADD result lacks the host or the pod interface: " + result);
            }
            return new AttachedPod(netns, containerId, podNamespace, podName, cidr[0], Integer.parseInt(cidr[1]),
                    required(ip, "gateway").asText(), required(pod, "mac").asText(), required(host, "name").asText(),
                    result);
        } catch (IOException e) {
            throw new UncheckedIOException("ADD result is not JSON: " + result, e);
        }
    }

    private static JsonNode required(JsonNode node, String member) {
        JsonNode value = node.get(member);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("CNI result member '" + member + "' missing in " + node);
        }
        return value;
    }

    /** namespace/name. */
    public String pod() {
        return podNamespace + "/" + podName;
    }
}
