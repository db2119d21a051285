package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Uninstall: removes every chain the Service proxy owns and the rules jumping to them; nothing else. */
final class ServiceChainsCleanup {

    private static final Logger LOG = LoggerFactory.getLogger(ServiceChainsCleanup.class);

    private final IptablesCommands commands;

    ServiceChainsCleanup(IptablesCommands commands) {
        this.commands = requireNonNull(commands, "commands");
    }

    /** Idempotent: a second run finds nothing and runs no iptables-restore. */
    void run() {
        List<String> transactions = RestorePlan.uninstall(commands.save(List.of(ChainNames.NAT, ChainNames.FILTER)),
                RestorePlan.CHAINS_PER_TRANSACTION);
        if (transactions.isEmpty()) {
            LOG.info("services: no iptables chains of the Service proxy found");
            return;
        }
        transactions.forEach(commands::restore);
        LOG.info("services: iptables chains of the Service proxy removed");
    }
}
