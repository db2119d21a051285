package io.trellis.agent.testing;

import io.trellis.spi.TrellisBackend;
import io.trellis.spi.ipam.IpamDriverFactory;
import java.util.Optional;
import java.util.Set;

/** Stands in for host-local IPAM; reads one integer setting so that its type errors can be tested. */
public final class TestHostLocalBackend implements TrellisBackend {

    @Override
    public String name() {
        return "host-local";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of("reserved", "dataDir");
    }

    @Override
    public Optional<IpamDriverFactory> ipam() {
        return Optional.of(context -> {
            context.settings().integer("reserved", 0, 16);
            return new StubDrivers.Ipam(context);
        });
    }
}
