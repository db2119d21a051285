package io.trellis.cni.protocol;

import static java.util.Objects.requireNonNull;

import io.trellis.cni.model.AttachmentId;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.spec.CniCommand;
import io.trellis.spi.model.PodRef;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One CNI invocation as the executable forwards it to the agent.
 *
 * @param command        ADD, DEL, CHECK, STATUS or GC (VERSION never reaches the agent)
 * @param cniVersion     the cniVersion of the network config, for logs; results travel version-neutral
 * @param network        the network name from the config ({@code name}); with container id and
 *                       interface name it is the spec's key for an attachment
 * @param containerId    CNI_CONTAINERID (ADD, DEL, CHECK)
 * @param ifName         CNI_IFNAME (ADD, DEL, CHECK)
 * @param netns          CNI_NETNS (ADD and CHECK; DEL may come without one once the sandbox is gone)
 * @param args           CNI_ARGS as key/value pairs (K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_UID, ...)
 * @param networkConfig  the network config exactly as the runtime wrote it on stdin
 * @param prevResult     the config's prevResult, version-neutral (chained ADD, DEL from 0.4.0, CHECK)
 * @param validAttachments GC only: the attachments the runtime still knows; everything else may go
 */
public record CniRequest(CniCommand command, String cniVersion, String network, Optional<String> containerId,
                         Optional<String> ifName, Optional<String> netns, Map<String, String> args,
                         String networkConfig, Optional<CniResult> prevResult, List<AttachmentId> validAttachments) {
    public CniRequest {
        requireNonNull(command, "command");
        requireNonNull(cniVersion, "cniVersion");
        requireNonNull(network, "network");
        requireNonNull(containerId, "containerId");
        requireNonNull(ifName, "ifName");
        requireNonNull(netns, "netns");
        args = Map.copyOf(requireNonNull(args, "args"));
        requireNonNull(networkConfig, "networkConfig");
        requireNonNull(prevResult, "prevResult");
        validAttachments = List.copyOf(requireNonNull(validAttachments, "validAttachments"));
        if (command == CniCommand.VERSION) {
            throw new IllegalArgumentException("VERSION is answered by the executable and never sent to the agent");
        }
        if (command.isAttachmentCommand() && (containerId.isEmpty() || ifName.isEmpty())) {
            throw new IllegalArgumentException(command + " needs a container id and an interface name");
        }
        if ((command == CniCommand.ADD || command == CniCommand.CHECK) && netns.isEmpty()) {
            throw new IllegalArgumentException(command + " needs a network namespace path");
        }
        if (command != CniCommand.GC && !validAttachments.isEmpty()) {
            throw new IllegalArgumentException("valid attachments are a GC parameter, not " + command);
        }
    }

    /** The attachment this request is about; throws for STATUS and GC. */
    public AttachmentId attachment() {
        if (!command.isAttachmentCommand()) {
            throw new IllegalStateException(command + " is not about one attachment");
        }
        return new AttachmentId(containerId.orElseThrow(), ifName.orElseThrow());
    }

    /** The pod from CNI_ARGS K8S_POD_NAMESPACE and K8S_POD_NAME, when the runtime is Kubernetes. */
    public Optional<PodRef> pod() {
        String ns = args.get("K8S_POD_NAMESPACE");
        String name = args.get("K8S_POD_NAME");
        if (ns == null || name == null || ns.isEmpty() || name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new PodRef(ns, name));
    }
}
