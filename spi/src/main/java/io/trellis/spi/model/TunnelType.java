package io.trellis.spi.model;

import java.util.Arrays;
import java.util.Optional;

/** The encapsulation an overlay uses between nodes. */
public enum TunnelType {
    /** Geneve, RFC 8926, UDP port 6081; 50 bytes of overhead on IPv4 without options. */
    GENEVE("geneve", 6081, 50),
    /** VXLAN, RFC 7348, UDP port 4789; 50 bytes of overhead on IPv4. */
    VXLAN("vxlan", 4789, 50);

    private final String configName;
    private final int udpPort;
    private final int ipv4Overhead;

    TunnelType(String configName, int udpPort, int ipv4Overhead) {
        this.configName = configName;
        this.udpPort = udpPort;
        this.ipv4Overhead = ipv4Overhead;
    }

    /** The name used in the YAML configuration. */
    public String configName() {
        return configName;
    }

    /** The IANA-assigned destination UDP port. */
    public int udpPort() {
        return udpPort;
    }

    /** Outer IPv4 + UDP + tunnel header + inner Ethernet, the bytes to subtract from the uplink MTU. */
    public int ipv4Overhead() {
        return ipv4Overhead;
    }

    /** The type named {@code name} in the configuration ({@code geneve}, {@code vxlan}). */
    public static Optional<TunnelType> fromConfigName(String name) {
        return Arrays.stream(values()).filter(t -> t.configName.equals(name)).findFirst();
    }
}
