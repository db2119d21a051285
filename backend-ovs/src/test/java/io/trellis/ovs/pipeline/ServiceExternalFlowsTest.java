package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.ovs.pipeline.ServiceFrontend.Scope;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frontends on external, load-balancer and node-port addresses: which clients they take, no closed ports. */
class ServiceExternalFlowsTest {

    private static final PipelineFlows PIPELINE = new PipelineFlows(Pipeline.withServices(), CookieScheme.DEFAULT,
            PipelineFlows.DEFAULT_CT_ZONE);
    private final ServiceFlows flows = ServiceFlows.of(PIPELINE);

    @Test
    void externalFrontendsLeaveOtherPortsAloneAndGatewayOnlyOnesWin() {
        List<ServiceBackend> all = List.of(ServiceBackend.of("10.20.0.11", 8080), ServiceBackend.of("10.30.0.5", 8080));
        List<ServiceBackend> local = List.of(ServiceBackend.of("10.20.0.11", 8080));
        List<ServiceLoadBalancer> lbs = List.of(
                new ServiceLoadBalancer(ServiceFrontend.of("10.96.0.10", ServiceFrontend.TCP, 80), 1, all),
                new ServiceLoadBalancer(new ServiceFrontend(Ipv4Subnet.parseAddress("192.0.2.10"), ServiceFrontend.TCP,
                        80, Scope.EXTERNAL), 2, all),
                new ServiceLoadBalancer(new ServiceFrontend(Ipv4Subnet.parseAddress("192.0.2.10"), ServiceFrontend.TCP,
                        80, Scope.FROM_GATEWAY), 3, local),
                new ServiceLoadBalancer(new ServiceFrontend(ServiceFlows.NODE_PORT_LOCAL_IP, ServiceFrontend.TCP,
                        30080, Scope.EXTERNAL), 4, local));
        assertThat(PipelineFlowsTest.lines(flows.serviceFlows(7, lbs))).containsExactly(
                // only packets from the gateway port (reg0=1), above the frontend every client uses
                "cookie=0x7472050900000007, table=5, priority=205,ct_state=+new+trk,tcp,reg0=0x1/0xf,nw_dst=192.0.2.10,"
                        + "tp_dst=80 actions=group:3",
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,tcp,nw_dst=10.96.0.10,tp_dst=80"
                        + " actions=group:1",
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,tcp,nw_dst=169.254.0.254,"
                        + "tp_dst=30080 actions=group:4",
                "cookie=0x7472050900000007, table=5, priority=200,ct_state=+new+trk,tcp,nw_dst=192.0.2.10,tp_dst=80"
                        + " actions=group:2",
                // the cluster IP's other ports are closed; the external address's and the node-port address's are not
                "cookie=0x7472050900000007, table=5, priority=190,ip,nw_dst=10.96.0.10 actions=drop");
    }

    @Test
    void scopesAreDistinctFrontends() {
        ServiceFrontend cluster = ServiceFrontend.of("192.0.2.10", ServiceFrontend.TCP, 80);
        ServiceFrontend external = new ServiceFrontend(cluster.ip(), ServiceFrontend.TCP, 80, Scope.EXTERNAL);
        assertThat(cluster.scope()).isEqualTo(Scope.CLUSTER_IP);
        assertThat(external).isNotEqualTo(cluster);
        assertThat(external).hasToString("tcp:192.0.2.10:80 (external)");
        assertThat(cluster).hasToString("tcp:192.0.2.10:80");
    }
}
