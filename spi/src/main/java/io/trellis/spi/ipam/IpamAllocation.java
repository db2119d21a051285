package io.trellis.spi.ipam;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.model.IpAddress;
import io.trellis.spi.model.PodAttachment;
import java.util.List;

/** The addresses allocated to one attachment, each with its subnet and gateway. */
public record IpamAllocation(PodAttachment attachment, List<IpAddress> addresses) {
    public IpamAllocation {
        requireNonNull(attachment, "attachment");
        addresses = List.copyOf(requireNonNull(addresses, "addresses"));
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("an allocation holds at least one address");
        }
    }
}
