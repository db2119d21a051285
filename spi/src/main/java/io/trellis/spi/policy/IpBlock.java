package io.trellis.spi.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpPrefix;
import java.util.List;

/** A range of peer addresses minus exceptions (NetworkPolicy {@code ipBlock}; pods resolved to /32 or /128 blocks). */
public record IpBlock(IpPrefix cidr, List<IpPrefix> except) {
    public IpBlock {
        requireNonNull(cidr, "cidr");
        except = List.copyOf(requireNonNull(except, "except"));
        for (IpPrefix e : except) {
            if (e.isIpv4() != cidr.isIpv4() || e.prefixLength() <= cidr.prefixLength() || !cidr.contains(e.network())) {
                throw new IllegalArgumentException("except " + e + " is not a strict subset of " + cidr);
            }
        }
    }

    public static IpBlock of(IpPrefix cidr) {
        return new IpBlock(cidr, List.of());
    }
}
