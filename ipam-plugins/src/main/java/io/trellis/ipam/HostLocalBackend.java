package io.trellis.ipam;

import io.trellis.ipam.hostlocal.HostLocalIpamDriver;
import io.trellis.ipam.hostlocal.PodCidrSource;
import io.trellis.spi.BackendContext;
import io.trellis.spi.TrellisBackend;
import io.trellis.spi.ipam.IpamDriverFactory;
import java.util.Optional;

/**
 * The {@code host-local} backend: IPAM only. Pod addresses come from the node's pod CIDRs as the agent resolved them
 * ({@link BackendContext#network()}), the state lives in the backend's state dir. It takes no settings.
 */
public final class HostLocalBackend implements TrellisBackend {
    public static final String NAME = "host-local";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<IpamDriverFactory> ipam() {
        return Optional.of(HostLocalBackend::createDriver);
    }

    private static HostLocalIpamDriver createDriver(BackendContext context) {
        return HostLocalIpamDriver.open(context.stateDir(), PodCidrSource.fixed(context.network().podCidrs()));
    }
}
