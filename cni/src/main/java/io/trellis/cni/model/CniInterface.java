package io.trellis.cni.model;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * An interface an ADD created, version-neutral (the CNI 1.1.0 field set). {@code sandbox} is the
 * netns path for interfaces inside the pod and empty for host interfaces.
 */
public record CniInterface(String name, Optional<String> mac, OptionalInt mtu, Optional<String> sandbox,
                           Optional<String> socketPath, Optional<String> pciId) {
    public CniInterface {
        requireNonNull(name, "name");
        requireNonNull(mac, "mac");
        requireNonNull(mtu, "mtu");
        requireNonNull(sandbox, "sandbox");
        requireNonNull(socketPath, "socketPath");
        requireNonNull(pciId, "pciId");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("interface name must not be empty");
        }
        mac.ifPresent(m -> {
            if (!isMac(m)) {
                throw new IllegalArgumentException("interface " + name + ": mac '" + m
                        + "' is not colon-separated hex bytes (e.g. 02:42:0a:0a:00:05)");
            }
        });
        if (mtu.isPresent() && mtu.getAsInt() <= 0) {
            throw new IllegalArgumentException("interface " + name + ": mtu must be positive, got " + mtu.getAsInt());
        }
    }

    /** A host-side interface with only a name. */
    public static CniInterface named(String name) {
        return new CniInterface(name, Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public CniInterface withMac(String newMac) {
        return new CniInterface(name, Optional.of(newMac), mtu, sandbox, socketPath, pciId);
    }

    public CniInterface withMtu(int newMtu) {
        return new CniInterface(name, mac, OptionalInt.of(newMtu), sandbox, socketPath, pciId);
    }

    public CniInterface withSandbox(String netnsPath) {
        return new CniInterface(name, mac, mtu, Optional.of(netnsPath), socketPath, pciId);
    }

    private static boolean isMac(String m) {
        if (m.length() < 2 || (m.length() + 1) % 3 != 0) {
            return false;
        }
        for (int i = 0; i < m.length(); i++) {
            char c = m.charAt(i);
            if (i % 3 == 2 ? c != ':' : Character.digit(c, 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
