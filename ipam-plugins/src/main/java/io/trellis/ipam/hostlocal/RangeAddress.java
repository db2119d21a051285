package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.model.IpAddress;
import java.net.InetAddress;
import java.util.Optional;

/** One allocated address and the pod CIDR it was allocated from. */
public record RangeAddress(HostRange range, InetAddress address) {
    public RangeAddress {
        requireNonNull(range, "range");
        requireNonNull(address, "address");
        if (!range.isUsable(address)) {
            throw new IllegalArgumentException(IpLiterals.format(address) + " is not a pod address of " + range);
        }
    }

    /** As CNI results carry it: address, the CIDR's prefix length, and the CIDR's gateway. */
    public IpAddress toIpAddress() {
        return new IpAddress(address, range.cidr().prefixLength(), Optional.of(range.gateway()));
    }
}
