package io.trellis.iptables.service;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every chain the proxy wants, per table ({@code nat}, {@code filter}), with its rules as
 * iptables-save specs, plus the jumps from built-in chains into them. Immutable.
 *
 * @param tables        table -> chain -> rules
 * @param serviceChains per Service (in the order of {@link #assemble}), the nat chains it owns: a
 *                      large sync is split into transactions of whole Services ({@link RestorePlan})
 */
record RuleSet(Map<String, Map<String, List<String>>> tables, List<List<String>> serviceChains) {

    /** The jumps from built-in chains; each is inserted once, first in its chain. */
    static final List<Jump> JUMPS = List.of(
            new Jump(ChainNames.NAT, "PREROUTING", "-m comment --comment \"trellis service portals\" -j "
                    + ChainNames.SERVICES),
            new Jump(ChainNames.NAT, "OUTPUT", "-m comment --comment \"trellis service portals\" -j " + ChainNames.SERVICES),
            new Jump(ChainNames.NAT, "POSTROUTING", "-m comment --comment \"trellis service postrouting rules\" -j "
                    + ChainNames.POSTROUTING),
            new Jump(ChainNames.FILTER, "INPUT", "-m conntrack --ctstate NEW -m comment --comment"
                    + " \"trellis externally-visible service portals\" -j " + ChainNames.EXTERNAL_SERVICES),
            new Jump(ChainNames.FILTER, "FORWARD", "-m conntrack --ctstate NEW -m comment --comment"
                    + " \"trellis service portals\" -j " + ChainNames.FILTER_SERVICES),
            new Jump(ChainNames.FILTER, "FORWARD", "-m conntrack --ctstate NEW -m comment --comment"
                    + " \"trellis externally-visible service portals\" -j " + ChainNames.EXTERNAL_SERVICES),
            new Jump(ChainNames.FILTER, "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment"
                    + " \"trellis service portals\" -j " + ChainNames.FILTER_SERVICES),
            new Jump(ChainNames.FILTER, "OUTPUT", "-m conntrack --ctstate NEW -m comment --comment"
                    + " \"trellis externally-visible service portals\" -j " + ChainNames.EXTERNAL_SERVICES));

    /** A rule in a built-in chain of {@code table} jumping to one of ours; {@code spec} ends with {@code -j TARGET}. */
    record Jump(String table, String from, String spec) {
        Jump {
            requireNonNull(table, "table");
            requireNonNull(from, "from");
            requireNonNull(spec, "spec");
        }

        String target() {
            return spec.substring(spec.lastIndexOf(' ') + 1);
        }
    }

    RuleSet {
        Map<String, Map<String, List<String>>> copy = new LinkedHashMap<>();
        requireNonNull(tables, "tables").forEach((table, chains) -> {
            Map<String, List<String>> c = new LinkedHashMap<>();
            chains.forEach((chain, rules) -> c.put(chain, List.copyOf(rules)));
            copy.put(table, Collections.unmodifiableMap(c));
        });
        tables = Collections.unmodifiableMap(copy);
        serviceChains = requireNonNull(serviceChains, "serviceChains").stream().map(List::copyOf).toList();
    }

    /** No chains at all: the state before the first sync, or after an uninstall. */
    static RuleSet empty() {
        return new RuleSet(Map.of(), List.of());
    }

    /** The chains of {@code table} (empty when none). */
    Map<String, List<String>> chains(String table) {
        return tables.getOrDefault(table, Map.of());
    }

    /**
     * The whole state for {@code services}: fixed chains, then each Service's chains, in the order of
     * the Services' references (the order of the shared chains' rules, so it must not depend on
     * the order the agent reported them in).
     */
    static RuleSet assemble(ServiceRuleGenerator generator, Collection<ServiceRules> services) {
        List<ServiceRules> sorted = new ArrayList<>(services);
        sorted.sort(Comparator.comparing((ServiceRules r) -> r.ref().namespace()).thenComparing(r -> r.ref().name()));
        Map<String, List<String>> nat = new LinkedHashMap<>();
        Map<String, List<String>> filter = new LinkedHashMap<>();
        List<String> natServices = new ArrayList<>();
        List<String> natNodePorts = new ArrayList<>();
        List<String> filterServices = new ArrayList<>();
        List<String> filterExternal = new ArrayList<>();
        nat.put(ChainNames.SERVICES, natServices);
        nat.put(ChainNames.NODE_PORTS, natNodePorts);
        nat.putAll(generator.fixedRules().get(ChainNames.NAT));
        filter.put(ChainNames.FILTER_SERVICES, filterServices);
        filter.put(ChainNames.EXTERNAL_SERVICES, filterExternal);
        List<List<String>> serviceChains = new ArrayList<>();
        for (ServiceRules r : sorted) {
            serviceChains.add(List.copyOf(r.natChains().keySet()));
            natServices.addAll(r.natServices());
            natNodePorts.addAll(r.natNodePorts());
            filterServices.addAll(r.filterServices());
            filterExternal.addAll(r.filterExternal());
            r.natChains().forEach((chain, rules) -> {
                if (nat.put(chain, rules) != null) {
                    throw new IllegalStateException("chain " + chain + " of service " + r.ref() + " is also another's");
                }
            });
        }
        natServices.add(generator.nodePortsJump());
        return new RuleSet(Map.of(ChainNames.NAT, nat, ChainNames.FILTER, filter), serviceChains);
    }
}
