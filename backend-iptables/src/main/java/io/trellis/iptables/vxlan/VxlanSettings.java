package io.trellis.iptables.vxlan;

import static java.util.Objects.requireNonNull;

import io.trellis.netlink.route.InterfaceName;
import io.trellis.spi.BackendConfigException;
import io.trellis.spi.BackendSettings;
import java.util.Set;

/**
 * The {@code vxlan} backend's settings ({@code settings.vxlan} of the agent configuration), typed.
 *
 * @param hostGateway a remote node whose internal IP lies in a subnet directly connected to this
 *                    node is reached by a plain route via that IP instead of VXLAN (flannel's
 *                    "DirectRouting")
 * @param vni         the VXLAN network identifier, the same on every node
 * @param port        the UDP destination port, the same on every node
 * @param device      the VXLAN device's name
 */
public record VxlanSettings(boolean hostGateway, int vni, int port, String device) {

    /** The keys of {@code settings.vxlan}. */
    public static final Set<String> KEYS = Set.of("hostGateway", "vni", "port", "device");

    static final int DEFAULT_VNI = 1;
    /** IANA's VXLAN port (RFC 7348), not the Linux kernel's historical default 8472. */
    static final int DEFAULT_PORT = 4789;
    static final String DEFAULT_DEVICE = "trellis.vxlan";
    static final int MAX_VNI = 0xFF_FFFF;

    public VxlanSettings {
        requireNonNull(device, "device");
        if (vni < 0 || vni > MAX_VNI) {
            throw new IllegalArgumentException("vni must be 0.." + MAX_VNI + ", got " + vni);
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        InterfaceName.check(device);
    }

    /** VXLAN everywhere, VNI 1, port 4789, device {@code trellis.vxlan}. */
    public static VxlanSettings defaults() {
        return new VxlanSettings(false, DEFAULT_VNI, DEFAULT_PORT, DEFAULT_DEVICE);
    }

    /**
     * Reads the backend's section; every error is a {@link BackendConfigException} naming the
     * setting's path ({@code settings.vxlan.vni}) and quoting the value.
     */
    public static VxlanSettings from(BackendSettings s) {
        requireNonNull(s, "settings");
        for (String key : s.keys()) {
            if (!KEYS.contains(key)) {
                throw new BackendConfigException(s.path() + "." + key + ": unknown setting (known: "
                        + KEYS.stream().sorted().toList() + ")");
            }
        }
        boolean hostGateway = s.bool("hostGateway").orElse(false);
        int vni = (int) s.integer("vni", 0, MAX_VNI).orElse(DEFAULT_VNI);
        int port = (int) s.integer("port", 1, 0xFFFF).orElse(DEFAULT_PORT);
        String device = s.string("device").orElse(DEFAULT_DEVICE);
        try {
            InterfaceName.check(device);
        } catch (IllegalArgumentException e) {
            throw new BackendConfigException(s.path() + ".device: '" + device + "' is not a valid interface name ("
                    + e.getMessage() + ")");
        }
        return new VxlanSettings(hostGateway, vni, port, device);
    }
}
