package io.trellis.lab.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceAllocationsTest {
    private final ServiceAllocations allocations = new ServiceAllocations();

    private static Service service(String name, String type, String clusterIp, Integer... nodePorts) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace("s").withName(name).endMetadata()
                .withNewSpec().withType(type).withClusterIP(clusterIp).endSpec();
        for (int i = 0; i < nodePorts.length; i++) {
            b.editSpec().addToPorts(new ServicePortBuilder().withName("p" + i).withPort(80 + i)
                    .withNodePort(nodePorts[i]).build()).endSpec();
        }
        if (nodePorts.length == 0) {
            b.editSpec().addToPorts(new ServicePortBuilder().withPort(80).build()).endSpec();
        }
        return b.build();
    }

    @Test
    void clusterIpsComeFromTheServiceCidrSkippingTheReservedFirstAddressAndAreUnique() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            String ip = allocations.reconcile(service("svc" + i, null, null)).clusterIp().orElseThrow();
            assertThat(LabServiceNetwork.contains(ip)).as(ip).isTrue();
            assertThat(ip).isNotIn("10.96.0.0", LabServiceNetwork.RESERVED_ADDRESS);
            assertThat(seen.add(ip)).as("unique: %s", ip).isTrue();
        }
        assertThat(seen).contains("10.96.0.2", "10.96.1.45");
        assertThat(allocations.clusterIpsInUse()).isEqualTo(300);
    }

    @Test
    void headlessAndExternalNameServicesGetNoClusterIp() {
        assertThat(allocations.reconcile(service("h", "ClusterIP", "None")).changesNothing()).isTrue();
        assertThat(allocations.reconcile(service("e", "ExternalName", null)).changesNothing()).isTrue();
        assertThat(allocations.clusterIpsInUse()).isZero();
    }

    @Test
    void aServiceKeepsItsValuesWhenAnUpdateDropsThemAndFreesThemWhenDeleted() {
        ServiceAllocations.Assignment first = allocations.reconcile(service("a", "NodePort", null, null, null));
        assertThat(first.nodePorts()).containsOnlyKeys(0, 1);
        assertThat(first.nodePorts().values()).allSatisfy(p -> assertThat(p).isBetween(30000, 32767))
                .doesNotHaveDuplicates();
        ServiceAllocations.Assignment again = allocations.reconcile(service("a", "NodePort", null, null, null));
        assertThat(again).isEqualTo(first);
        assertThat(allocations.nodePortsInUse()).isEqualTo(2);

        allocations.release("s/a");
        assertThat(allocations.clusterIpsInUse()).isZero();
        assertThat(allocations.nodePortsInUse()).isZero();
        // Next-fit: a freed value is not the next one handed out.
        assertThat(allocations.reconcile(service("b", "NodePort", null, (Integer) null)).nodePorts().get(0))
                .isNotIn(first.nodePorts().values());
    }

    @Test
    void valuesSetByTheUserAreRecordedSkippedByAllocationAndConflictsReported() {
        allocations.observe(service("fixed", "NodePort", "10.96.0.2", 30000));
        ServiceAllocations.Assignment next = allocations.reconcile(service("free", "NodePort", null, (Integer) null));
        assertThat(next.clusterIp()).contains("10.96.0.3");
        assertThat(next.nodePorts()).containsEntry(0, 30001);

        ServiceAllocations.Assignment clash = allocations.reconcile(service("clash", "NodePort", "10.96.0.2", 30000));
        assertThat(clash.conflicts()).containsExactly("spec.clusterIP 10.96.0.2 is held by Service s/fixed",
                "spec.ports[0].nodePort 30000 is held by Service s/fixed");
    }

    @Test
    void typeClusterIpFreesNodePorts() {
        allocations.reconcile(service("a", "NodePort", null, (Integer) null));
        assertThat(allocations.nodePortsInUse()).isEqualTo(1);
        allocations.reconcile(service("a", "ClusterIP", "10.96.0.2"));
        assertThat(allocations.nodePortsInUse()).isZero();
    }

    @Test
    void anExhaustedRangeSaysSo() {
        RangeAllocator tiny = new RangeAllocator("node port", 30000, 30001);
        tiny.allocate("a");
        tiny.allocate("b");
        assertThatThrownBy(() -> tiny.allocate("c")).isInstanceOf(IllegalStateException.class)
                .hasMessage("no free node port left in 30000-30001 (2 in use)");
    }
}
