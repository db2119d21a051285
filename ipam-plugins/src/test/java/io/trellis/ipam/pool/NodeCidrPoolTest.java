package io.trellis.ipam.pool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ipam.cidr.Cidr;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

class NodeCidrPoolTest {

    @Test
    void handsOutConsecutiveNodeCidrsIdempotentlyPerNode() {
        NodeCidrPool pool = new NodeCidrPool(Cidr.parse("10.244.0.0/16"), 24);
        assertThat(pool.capacity()).isEqualTo(BigInteger.valueOf(256));
        assertThat(pool.allocate("n1")).hasToString("10.244.0.0/24");
        assertThat(pool.allocate("n2")).hasToString("10.244.1.0/24");
        assertThat(pool.allocate("n1")).hasToString("10.244.0.0/24");
        assertThat(pool.get("n2")).contains(Cidr.parse("10.244.1.0/24"));
        assertThat(pool.allocations()).containsOnlyKeys("n1", "n2");
    }

    @Test
    void reusesAReleasedCidrAndReportsExhaustion() {
        NodeCidrPool pool = new NodeCidrPool(Cidr.parse("10.244.0.0/22"), 24);
        for (String node : new String[] {"n1", "n2", "n3", "n4"}) {
            pool.allocate(node);
        }
        assertThatThrownBy(() -> pool.allocate("n5"))
                .isInstanceOf(PoolExhaustedException.class)
                .hasMessage("cluster CIDR 10.244.0.0/22 is exhausted: all 4 node CIDRs of /24 are in use; node n5 gets none");
        pool.release("n2");
        pool.release("unknown");
        assertThat(pool.get("n2")).isEmpty();
        assertThat(pool.allocate("n5")).hasToString("10.244.1.0/24");
    }

    @Test
    void isRebuiltFromWhatNodesHold() {
        NodeCidrPool pool = new NodeCidrPool(Cidr.parse("10.244.0.0/16"), 24);
        pool.markAllocated("n1", Cidr.parse("10.244.0.0/24"));
        pool.markAllocated("n3", Cidr.parse("10.244.2.0/24"));
        pool.markAllocated("n3", Cidr.parse("10.244.2.0/24"));
        assertThat(pool.allocate("n2")).hasToString("10.244.1.0/24");
        assertThat(pool.allocate("n4")).hasToString("10.244.3.0/24");
        assertThatThrownBy(() -> pool.markAllocated("n9", Cidr.parse("10.244.2.0/24")))
                .hasMessage("pod CIDR 10.244.2.0/24 of node n9 is already held by node n3");
        assertThatThrownBy(() -> pool.markAllocated("n1", Cidr.parse("10.244.9.0/24")))
                .hasMessage("node n1 already holds pod CIDR 10.244.0.0/24, not 10.244.9.0/24");
        assertThatThrownBy(() -> pool.markAllocated("n9", Cidr.parse("10.245.0.0/24")))
                .hasMessage("node n9 has pod CIDR 10.245.0.0/24, which is not a /24 of cluster CIDR 10.244.0.0/16");
        assertThatThrownBy(() -> pool.markAllocated("n9", Cidr.parse("10.244.8.0/23")))
                .hasMessageContaining("which is not a /24");
    }

    @Test
    void worksForIpv6() {
        NodeCidrPool pool = new NodeCidrPool(Cidr.parse("fd00:10:244::/56"), 64);
        pool.allocate("n1");
        assertThat(pool.allocate("n2")).hasToString("fd00:10:244:1::/64");
        assertThat(pool.capacity()).isEqualTo(BigInteger.valueOf(256));
    }

    @Test
    void rejectsANodePrefixThatDoesNotFit() {
        assertThatThrownBy(() -> new NodeCidrPool(Cidr.parse("10.244.0.0/16"), 8))
                .hasMessage("node CIDR prefix length for cluster CIDR 10.244.0.0/16 must be 16..30, got 8");
        assertThatThrownBy(() -> new NodeCidrPool(Cidr.parse("10.244.0.0/16"), 31)).hasMessageContaining("must be 16..30, got 31");
    }
}
