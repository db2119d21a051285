package io.trellis.controller.networkpolicy;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.policy.IpBlock;
import java.util.Optional;

/** One {@code from}/{@code to} entry of a NetworkPolicy rule, validated. */
public sealed interface PeerSpec {

    /**
     * Pods: {@code podSelector} alone = in the policy's namespace; {@code namespaceSelector} alone =
     * every pod of the matching namespaces; both = those pods of those namespaces. At least one present.
     */
    record Pods(Optional<LabelSelector> namespaceSelector, Optional<LabelSelector> podSelector) implements PeerSpec {
        public Pods {
            requireNonNull(namespaceSelector, "namespaceSelector");
            requireNonNull(podSelector, "podSelector");
            if (namespaceSelector.isEmpty() && podSelector.isEmpty()) {
                throw new IllegalArgumentException("a pod peer needs a podSelector or a namespaceSelector");
            }
        }

        /** The group of pods this peer selects, for a policy in {@code policyNamespace}. */
        public GroupSelector group(String policyNamespace) {
            return namespaceSelector
                    .map(ns -> GroupSelector.byNamespaceSelector(ns, podSelector.orElse(LabelSelector.EVERYTHING)))
                    .orElseGet(() -> GroupSelector.inNamespace(policyNamespace, podSelector.get()));
        }
    }

    /** Addresses: an {@code ipBlock}. */
    record Addresses(IpBlock block) implements PeerSpec {
        public Addresses {
            requireNonNull(block, "block");
        }
    }
}
