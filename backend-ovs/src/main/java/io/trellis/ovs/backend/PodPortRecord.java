package io.trellis.ovs.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.net.Inet4Address;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the backend writes into the {@code external_ids} of a pod's OVS Port and Interface rows:
 * enough to rebuild the pod's flows and find its attachment after an agent restart, with OVSDB as
 * the only record (it survives agent restarts and is what the data plane actually holds).
 *
 * @param attachment    the CNI attachment (container id, interface name) and its pod
 * @param hostInterface the host end of the veth pair, the OVS port's name
 * @param netns         the pod's network namespace path (CNI_NETNS) at ADD time
 * @param ip            the pod's IPv4 address
 * @param mac           the MAC of the pod's interface
 */
public record PodPortRecord(PodAttachment attachment, String hostInterface, Path netns, Inet4Address ip, MacAddress mac) {

    /** Present on every port this backend created; its absence means "not ours". */
    public static final String CONTAINER_ID = "trellis.container-id";
    public static final String IF_NAME = "trellis.if-name";
    public static final String POD_NAMESPACE = "trellis.pod-namespace";
    public static final String POD_NAME = "trellis.pod-name";
    public static final String NETNS = "trellis.netns";
    public static final String IP = "trellis.ip";
    public static final String MAC = "trellis.mac";

    public PodPortRecord {
        requireNonNull(attachment, "attachment");
        requireNonNull(hostInterface, "hostInterface");
        requireNonNull(netns, "netns");
        requireNonNull(ip, "ip");
        requireNonNull(mac, "mac");
    }

    /** The external_ids map, in a fixed order. */
    public Map<String, String> toExternalIds() {
        Map<String, String> ids = new LinkedHashMap<>();
        ids.put(CONTAINER_ID, attachment.containerId());
        ids.put(IF_NAME, attachment.ifName());
        ids.put(POD_NAMESPACE, attachment.pod().namespace());
        ids.put(POD_NAME, attachment.pod().name());
        ids.put(NETNS, netns.toString());
        ids.put(IP, ip.getHostAddress());
        ids.put(MAC, mac.toString());
        return ids;
    }

    /** Whether a port with these external_ids was created by this backend. */
    public static boolean isOurs(Map<String, String> externalIds) {
        return externalIds.containsKey(CONTAINER_ID);
    }

    /**
     * Reads the record of port {@code portName}; empty when the port is not ours. A port that is ours
     * but whose ids are incomplete or malformed fails with a message naming the port, key and value.
     */
    public static Optional<PodPortRecord> fromExternalIds(String portName, Map<String, String> externalIds) {
        requireNonNull(portName, "portName");
        if (!isOurs(requireNonNull(externalIds, "externalIds"))) {
            return Optional.empty();
        }
        try {
            PodAttachment attachment = new PodAttachment(require(portName, externalIds, CONTAINER_ID),
                    require(portName, externalIds, IF_NAME),
                    new PodRef(require(portName, externalIds, POD_NAMESPACE), require(portName, externalIds, POD_NAME)));
            Path netns = Path.of(require(portName, externalIds, NETNS));
            String ipText = require(portName, externalIds, IP);
            Inet4Address ip;
            try {
                ip = io.trellis.ovs.pipeline.Ipv4Subnet.parseAddress(ipText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("port " + portName + ": external_ids:" + IP + " is not an IPv4 address: '"
                        + ipText + "'");
            }
            String macText = require(portName, externalIds, MAC);
            MacAddress mac;
            try {
                mac = MacAddress.parse(macText);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("port " + portName + ": external_ids:" + MAC + " is not a MAC address: '"
                        + macText + "'");
            }
            return Optional.of(new PodPortRecord(attachment, portName, netns, ip, mac));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("port " + portName + ":")) {
                throw e;
            }
            throw new IllegalArgumentException("port " + portName + ": invalid trellis external_ids " + externalIds + ": "
                    + e.getMessage(), e);
        }
    }

    private static String require(String portName, Map<String, String> ids, String key) {
        String value = ids.get(key);
        if (value == null) {
            throw new IllegalArgumentException("port " + portName + ": external_ids:" + key + " is missing");
        }
        return value;
    }
}
