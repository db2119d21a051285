package io.trellis.agent.cniserver;

import io.trellis.cni.json.JsonObject;
import io.trellis.cni.protocol.CniRequest;
import io.trellis.cni.spec.CniError;
import io.trellis.cni.spec.CniException;
import io.trellis.spi.model.MacAddress;
import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads what the agent needs from a forwarded CNI request: the pod (CNI_ARGS), the attachment, a requested MAC. */
final class CniArgs {
    static final String POD_NAMESPACE = "K8S_POD_NAMESPACE";
    static final String POD_NAME = "K8S_POD_NAME";

    private CniArgs() {
    }

    /** The pod from CNI_ARGS, empty when the runtime passed neither key. */
    static Optional<PodRef> pod(CniRequest request) throws CniException {
        String ns = request.args().getOrDefault(POD_NAMESPACE, "");
        String name = request.args().getOrDefault(POD_NAME, "");
        if (ns.isEmpty() && name.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(requirePod(request));
    }

    /** The pod from CNI_ARGS; a CNI error 4 naming each missing key otherwise. */
    static PodRef requirePod(CniRequest request) throws CniException {
        List<String> missing = new ArrayList<>();
        for (String key : List.of(POD_NAMESPACE, POD_NAME)) {
            if (request.args().getOrDefault(key, "").isEmpty()) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new CniException(CniError.INVALID_ENVIRONMENT, "CNI_ARGS lacks " + String.join(" and ", missing),
                    "Trellis attaches Kubernetes pods: the runtime must pass " + POD_NAMESPACE + " and " + POD_NAME
                            + " in CNI_ARGS (got keys " + request.args().keySet().stream().sorted().toList() + ")");
        }
        return new PodRef(request.args().get(POD_NAMESPACE), request.args().get(POD_NAME));
    }

    static PodAttachment attachment(CniRequest request, PodRef pod) throws CniException {
        try {
            return new PodAttachment(request.containerId().orElseThrow(), request.ifName().orElseThrow(), pod);
        } catch (IllegalArgumentException e) {
            throw new CniException(CniError.INVALID_ENVIRONMENT, e.getMessage());
        }
    }

    /**
     * A MAC the runtime asked for: {@code runtimeConfig.mac} (the "mac" capability) or, as the
     * reference plugins accept it, {@code MAC} in CNI_ARGS; the former wins.
     */
    static Optional<MacAddress> requestedMac(CniRequest request) throws CniException {
        Optional<String> fromConfig;
        try {
            fromConfig = JsonObject.parse(request.networkConfig(), "network config").optObject("runtimeConfig")
                    .flatMap(rc -> rc.optString("mac"));
        } catch (RuntimeException e) {
            throw new CniException(CniError.INVALID_CONFIG, "network config: " + e.getMessage());
        }
        String field = fromConfig.isPresent() ? "runtimeConfig.mac" : "CNI_ARGS MAC";
        Optional<String> text = fromConfig.or(() -> Optional.ofNullable(request.args().get("MAC")));
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            MacAddress mac = MacAddress.parse(text.get());
            if (mac.isMulticast()) {
                throw new IllegalArgumentException("'" + text.get() + "' is a group address; an interface needs a unicast one");
            }
            return Optional.of(mac);
        } catch (IllegalArgumentException e) {
            throw new CniException(field.startsWith("CNI_ARGS") ? CniError.INVALID_ENVIRONMENT : CniError.INVALID_CONFIG,
                    field + ": " + e.getMessage());
        }
    }
}
