package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * Settings that only mean something with the userspace ({@code netdev}) datapath
 * ({@code settings.ovs.netdev}).
 *
 * @param uplinkInterface the physical interface the agent attaches to the uplink bridge, moving the
 *                        node IP onto the bridge's internal port (the userspace datapath cannot
 *                        receive from the kernel stack otherwise); empty: the agent leaves the uplink
 *                        alone
 * @param pmdCpuMask      the {@code other_config:pmd-cpu-mask} of Open_vSwitch, the CPUs that run
 *                        userspace poll-mode threads, as a hex mask ({@code 0x3}); empty: OVS chooses
 */
public record NetdevOptions(Optional<String> uplinkInterface, Optional<String> pmdCpuMask) {
    public NetdevOptions {
        requireNonNull(uplinkInterface, "uplinkInterface");
        requireNonNull(pmdCpuMask, "pmdCpuMask");
    }
}
