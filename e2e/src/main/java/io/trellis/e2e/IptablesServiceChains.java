package io.trellis.e2e;

import io.trellis.iptables.service.IptablesBackend;
import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.sys.Syscalls;
import io.trellis.spi.BackendSettings;
import io.trellis.spi.UninstallContext;
import java.nio.file.Path;

/**
 * The {@code iptables} backend's own uninstall, run in a node's netns: the programs it spawns are
 * born in the namespace of the thread that forks them, which {@link NamespaceSwitcher} puts into the
 * node's. It removes the Service proxy's chains and jumps (and the policy enforcer's, unused here).
 */
final class IptablesServiceChains {
    private IptablesServiceChains() {
    }

    static void remove(String netns, Path stateDir, Path runDir) {
        Syscalls sys = Syscalls.system();
        UninstallContext context = new UninstallContext("iptables", BackendSettings.empty("settings.iptables"),
                stateDir.resolve("backends").resolve("iptables"), runDir.resolve("backends").resolve("iptables"));
        try (NetNamespace node = NetNamespace.named(sys, netns)) {
            new NamespaceSwitcher(sys).run(node, () -> new IptablesBackend().uninstall(context));
        }
    }
}
