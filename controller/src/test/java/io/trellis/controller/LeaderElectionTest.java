package io.trellis.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.trellis.controller.config.ControllerConfig;
import io.trellis.controller.config.ControllerConfigLoader;
import io.trellis.controller.testing.Eventually;
import io.trellis.controller.testing.Nodes;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two controller replicas, each with its own client, against one API stand-in: one Lease, one allocating leader,
 * and a take-over when the leader stops. Lease timings are short so that the test runs in seconds.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {
    private static final ControllerConfig CONFIG = new ControllerConfigLoader().parse("""
            clusterCidr: 10.244.0.0/16
            nodeCidrMaskSize: 24
            leaderElection:
              leaseNamespace: kube-system
              leaseName: trellis-controller
              leaseDuration: 2s
              renewDeadline: 1500ms
              retryPeriod: 200ms
            """, "test");

    KubernetesMockServer server;
    KubernetesClient client;
    private KubernetesClient secondClient;
    private Nodes nodes;
    private TrellisController one;
    private TrellisController two;

    @BeforeEach
    void setUp() {
        secondClient = server.createClient();
        nodes = new Nodes(client);
    }

    @AfterEach
    void tearDown() {
        Stream.of(one, two).filter(c -> c != null).forEach(TrellisController::close);
        secondClient.close();
    }

    private String holder() {
        Lease lease = client.leases().inNamespace("kube-system").withName("trellis-controller").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    @Test
    void exactlyOneReplicaAllocatesAndTheOtherTakesOverWhenItStops() {
        nodes.create("node-a");
        nodes.create("node-b");
        one = new TrellisController(CONFIG, client, "replica-one").start();
        two = new TrellisController(CONFIG, secondClient, "replica-two").start();

        Eventually.until("a leader", () -> one.isLeading() || two.isLeading());
        TrellisController leader = one.isLeading() ? one : two;
        TrellisController follower = leader == one ? two : one;
        Eventually.until("both nodes have pod CIDRs", () -> nodes.hasCidr("node-a") && nodes.hasCidr("node-b"));
        nodes.create("node-c");
        Eventually.until("node-c has a pod CIDR", () -> nodes.hasCidr("node-c"));

        assertThat(holder()).isEqualTo(leader.identity());
        assertThat(leader.isLeading()).isTrue();
        assertThat(leader.leadershipTerms()).isEqualTo(1);
        assertThat(follower.isLeading()).isFalse();
        assertThat(follower.leadershipTerms()).isZero();
        List<String> before = Stream.of("node-a", "node-b", "node-c").map(n -> nodes.podCidr(n).orElseThrow()).toList();
        assertThat(before).doesNotHaveDuplicates();

        leader.close();
        Eventually.until(follower.identity() + " takes over", follower::isLeading);
        assertThat(holder()).isEqualTo(follower.identity());
        nodes.create("node-d");
        Eventually.until("node-d has a pod CIDR from the new leader", () -> nodes.hasCidr("node-d"));

        assertThat(nodes.podCidr("node-d").orElseThrow()).isNotIn(before);
        assertThat(Stream.of("node-a", "node-b", "node-c").map(n -> nodes.podCidr(n).orElseThrow()).toList())
                .isEqualTo(before);
        assertThat(follower.leadershipTerms()).isEqualTo(1);
    }

    @Test
    void aFollowerAllocatesNothing() {
        one = new TrellisController(CONFIG, client, "replica-one").start();
        Eventually.until("replica-one leads", one::isLeading);
        two = new TrellisController(CONFIG, secondClient, "replica-two").start();
        Eventually.until("replica-two has seen the leader", () -> "replica-one".equals(two.leader()));

        nodes.create("node-a");
        Eventually.until("node-a has a pod CIDR", () -> nodes.hasCidr("node-a"));

        assertThat(two.isLeading()).isFalse();
        assertThat(two.leadershipTerms()).isZero();
        assertThat(holder()).isEqualTo("replica-one");
    }

    @Test
    void aReplicaThatVanishesWithoutReleasingTheLeaseIsReplacedAfterTheLeaseDuration() {
        KubernetesClient doomed = server.createClient();
        try {
            one = new TrellisController(CONFIG, doomed, "replica-one").start();
            Eventually.until("replica-one leads", one::isLeading);
            two = new TrellisController(CONFIG, secondClient, "replica-two").start();
            Eventually.until("replica-two has seen the leader", () -> "replica-one".equals(two.leader()));

            // The leader's client dies (as with a killed process): no renewal, no release; the Lease must expire.
            doomed.close();
            Eventually.until("replica-two takes over", two::isLeading);
            nodes.create("node-a");
            Eventually.until("node-a has a pod CIDR", () -> nodes.hasCidr("node-a"));

            assertThat(holder()).isEqualTo("replica-two");
            assertThat(two.leadershipTerms()).isEqualTo(1);
        } finally {
            doomed.close();
        }
    }
}
