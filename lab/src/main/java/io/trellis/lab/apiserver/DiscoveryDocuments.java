package io.trellis.lab.apiserver;

import io.fabric8.kubernetes.api.model.APIGroup;
import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIResource;
import io.fabric8.kubernetes.api.model.APIResourceBuilder;
import io.fabric8.kubernetes.api.model.APIResourceListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscovery;
import io.fabric8.kubernetes.api.model.RootPathsBuilder;
import io.fabric8.kubernetes.api.model.ServerAddressByClientCIDR;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The API discovery documents a real API server serves under /api and /apis, for the kinds the lab
 * stand-in stores. The mock answers these paths with an empty List, and clients such as kubectl
 * need them to map a kind to its resource path.
 */
final class DiscoveryDocuments {
    private static final List<String> ALL_VERBS =
            List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch");
    private static final List<String> SUBRESOURCE_VERBS = List.of("get", "patch", "update");

    /** group/version ("v1" for the core group) → resources in it. */
    private final Map<String, List<APIResource>> resources = new LinkedHashMap<>();
    private final String serverAddress;

    DiscoveryDocuments(String serverAddress) {
        this.serverAddress = serverAddress;
        core("pods", "Pod", true, "po");
        subresource("v1", "pods/status", "Pod", true);
        core("nodes", "Node", false, "no");
        subresource("v1", "nodes/status", "Node", false);
        core("namespaces", "Namespace", false, "ns");
        core("services", "Service", true, "svc");
        subresource("v1", "services/status", "Service", true);
        core("endpoints", "Endpoints", true, "ep");
        core("configmaps", "ConfigMap", true, "cm");
        core("secrets", "Secret", true);
        core("serviceaccounts", "ServiceAccount", true, "sa");
        core("events", "Event", true, "ev");
        grouped("discovery.k8s.io/v1", "endpointslices", "EndpointSlice", true);
        grouped("networking.k8s.io/v1", "networkpolicies", "NetworkPolicy", true, "netpol");
        grouped("coordination.k8s.io/v1", "leases", "Lease", true);
        grouped("apiextensions.k8s.io/v1", "customresourcedefinitions", "CustomResourceDefinition", false, "crd", "crds");
        grouped("apps/v1", "deployments", "Deployment", true, "deploy");
        grouped("apps/v1", "daemonsets", "DaemonSet", true, "ds");
    }

    private void core(String plural, String kind, boolean namespaced, String... shortNames) {
        add("v1", resource(plural, kind, namespaced, ALL_VERBS, shortNames));
    }

    private void grouped(String groupVersion, String plural, String kind, boolean namespaced, String... shortNames) {
        add(groupVersion, resource(plural, kind, namespaced, ALL_VERBS, shortNames));
    }

    private void subresource(String groupVersion, String name, String kind, boolean namespaced) {
        add(groupVersion, resource(name, kind, namespaced, SUBRESOURCE_VERBS));
    }

    private void add(String groupVersion, APIResource resource) {
        resources.computeIfAbsent(groupVersion, gv -> new ArrayList<>()).add(resource);
    }

    private static APIResource resource(String name, String kind, boolean namespaced, List<String> verbs,
                                        String... shortNames) {
        String singular = name.contains("/") ? "" : kind.toLowerCase(java.util.Locale.ROOT);
        return new APIResourceBuilder().withName(name).withSingularName(singular).withKind(kind)
                .withNamespaced(namespaced).withVerbs(verbs).withShortNames(shortNames).build();
    }

    /** The document for a discovery path, or empty when the path is not a discovery path. */
    Optional<String> forPath(String path) {
        String p = path.endsWith("/") && path.length() > 1 ? path.substring(0, path.length() - 1) : path;
        if (p.equals("/")) {
            List<String> paths = new ArrayList<>(List.of("/api", "/api/v1", "/apis", "/version"));
            for (String gv : resources.keySet()) {
                if (!gv.equals("v1")) {
                    paths.add("/apis/" + gv.substring(0, gv.indexOf('/')));
                    paths.add("/apis/" + gv);
                }
            }
            return Optional.of(Serialization.asJson(new RootPathsBuilder().withPaths(paths).build()));
        }
        if (p.equals("/api")) {
            return Optional.of(Serialization.asJson(new APIVersionsBuilder().withVersions("v1")
                    .withServerAddressByClientCIDRs(new ServerAddressByClientCIDR("0.0.0.0/0", serverAddress))
                    .build()));
        }
        if (p.equals("/apis")) {
            return Optional.of(Serialization.asJson(new APIGroupListBuilder().withGroups(groups()).build()));
        }
        if (p.equals("/api/v1")) {
            return Optional.of(resourceList("v1"));
        }
        if (p.startsWith("/apis/")) {
            String rest = p.substring("/apis/".length());
            if (resources.containsKey(rest)) {
                return Optional.of(resourceList(rest));
            }
            if (!rest.contains("/")) {
                return groups().stream().filter(g -> g.getName().equals(rest)).findFirst().map(Serialization::asJson);
            }
        }
        return Optional.empty();
    }

    private String resourceList(String groupVersion) {
        return Serialization.asJson(new APIResourceListBuilder().withGroupVersion(groupVersion)
                .withResources(resources.get(groupVersion)).build());
    }

    private List<APIGroup> groups() {
        Map<String, List<String>> versionsByGroup = new LinkedHashMap<>();
        for (String gv : resources.keySet()) {
            if (!gv.equals("v1")) {
                int slash = gv.indexOf('/');
                versionsByGroup.computeIfAbsent(gv.substring(0, slash), g -> new ArrayList<>()).add(gv.substring(slash + 1));
            }
        }
        List<APIGroup> groups = new ArrayList<>();
        versionsByGroup.forEach((group, versions) -> {
            List<GroupVersionForDiscovery> gvs = versions.stream()
                    .map(v -> new GroupVersionForDiscovery(group + "/" + v, v)).toList();
            groups.add(new APIGroupBuilder().withApiVersion("v1").withKind("APIGroup").withName(group)
                    .withVersions(gvs).withPreferredVersion(gvs.get(0)).build());
        });
        return groups;
    }
}
