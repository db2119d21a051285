package io.trellis.ipam.hostlocal;

import static java.util.Objects.requireNonNull;

import io.trellis.ipam.cidr.IpFamily;
import io.trellis.ipam.cidr.IpLiterals;
import io.trellis.spi.ipam.IpamAllocation;
import io.trellis.spi.model.PodAttachment;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** An attachment and its addresses, at most one per family, IPv4 first: what one state file holds. */
public record StoredAllocation(PodAttachment attachment, List<RangeAddress> addresses) {
    public StoredAllocation {
        requireNonNull(attachment, "attachment");
        addresses = requireNonNull(addresses, "addresses").stream()
                .sorted(Comparator.comparing(a -> a.range().cidr().family()))
                .toList();
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("an allocation holds at least one address");
        }
        Set<IpFamily> families = new HashSet<>();
        for (RangeAddress a : addresses) {
            if (!families.add(a.range().cidr().family())) {
                throw new IllegalArgumentException("an allocation holds one address per family, got " + describe(addresses));
            }
        }
    }

    public AttachmentKey key() {
        return AttachmentKey.of(attachment);
    }

    public IpamAllocation toIpamAllocation() {
        return new IpamAllocation(attachment, addresses.stream().map(RangeAddress::toIpAddress).toList());
    }

    /** {@code 10.244.1.5} or {@code 10.244.1.5,fd00::5}: the state file's base name. */
    public String addressList() {
        return describe(addresses);
    }

    private static String describe(List<RangeAddress> addresses) {
        return addresses.stream().map(a -> IpLiterals.format(a.address())).collect(Collectors.joining(","));
    }
}
