package io.trellis.cni.model;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Optional;

/** The {@code dns} part of a result. */
public record CniDns(List<String> nameservers, Optional<String> domain, List<String> search, List<String> options) {
    public CniDns {
        nameservers = List.copyOf(requireNonNull(nameservers, "nameservers"));
        requireNonNull(domain, "domain");
        search = List.copyOf(requireNonNull(search, "search"));
        options = List.copyOf(requireNonNull(options, "options"));
    }

    public boolean isEmpty() {
        return nameservers.isEmpty() && domain.isEmpty() && search.isEmpty() && options.isEmpty();
    }
}
