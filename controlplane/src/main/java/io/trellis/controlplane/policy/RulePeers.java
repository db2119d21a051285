package io.trellis.controlplane.policy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.IpBlock;
import java.util.List;

/**
 * The peers of a rule. {@code any} (the rule has no {@code from}/{@code to}) allows every address;
 * otherwise the union of the address groups' members and the ipBlocks, which may be empty (a
 * selector matching nobody allows nobody).
 */
public record RulePeers(boolean any, List<String> addressGroups, List<IpBlock> ipBlocks) {
    public static final RulePeers ANY = new RulePeers(true, List.of(), List.of());

    public RulePeers {
        addressGroups = List.copyOf(requireNonNull(addressGroups, "addressGroups"));
        ipBlocks = List.copyOf(requireNonNull(ipBlocks, "ipBlocks"));
        if (any && !(addressGroups.isEmpty() && ipBlocks.isEmpty())) {
            throw new IllegalArgumentException("rule peers: 'any' excludes address groups " + addressGroups
                    + " and ipBlocks " + ipBlocks);
        }
    }

    public static RulePeers of(List<String> addressGroups, List<IpBlock> ipBlocks) {
        return new RulePeers(false, addressGroups, ipBlocks);
    }
}
