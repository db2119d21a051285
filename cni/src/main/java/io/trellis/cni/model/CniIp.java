package io.trellis.cni.model;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpAddress;
import java.util.OptionalInt;

/** One {@code ips} entry: an address with prefix and gateway, and the index of its interface in the result. */
public record CniIp(IpAddress address, OptionalInt interfaceIndex) {
    public CniIp {
        requireNonNull(address, "address");
        requireNonNull(interfaceIndex, "interfaceIndex");
        if (interfaceIndex.isPresent() && interfaceIndex.getAsInt() < 0) {
            throw new IllegalArgumentException("ip " + address.cidr() + ": interface index must be >= 0, got "
                    + interfaceIndex.getAsInt());
        }
    }

    public static CniIp on(int interfaceIndex, IpAddress address) {
        return new CniIp(address, OptionalInt.of(interfaceIndex));
    }
}
