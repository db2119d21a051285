package io.trellis.iptables.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.spi.model.IpPrefix;
import io.trellis.spi.policy.IpBlock;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeerPrefixesTest {

    /** Random blocks with random exceptions, checked address by address against the NetworkPolicy definition. */
    @Test
    void entriesMatchExactlyTheUnionOfBlocksMinusTheirExceptions() throws UnknownHostException {
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            List<IpBlock> blocks = new ArrayList<>();
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                int len = 20 + random.nextInt(9);
                IpPrefix cidr = prefix(0x0a000000 | (random.nextInt(1 << 12) << 8) & 0xfffff000, len);
                List<IpPrefix> except = new ArrayList<>();
                for (int e = random.nextInt(4); e > 0; e--) {
                    int elen = len + 1 + random.nextInt(32 - len);
                    int bits = PeerPrefixes.toInt(cidr.network()) | random.nextInt() & ~(-1 << (32 - len));
                    IpPrefix ex = prefix(bits & (-1 << (32 - elen)), elen);
                    if (except.stream().noneMatch(x -> x.equals(ex))) {
                        except.add(ex);
                    }
                }
                blocks.add(new IpBlock(cidr, except));
            }
            List<IpPrefix> entries = PeerPrefixes.of(blocks);
            for (int probe = 0; probe < 400; probe++) {
                IpBlock b = blocks.get(random.nextInt(blocks.size()));
                int base = PeerPrefixes.toInt(b.cidr().network());
                int span = b.cidr().prefixLength() == 0 ? -1 : ~(-1 << (32 - b.cidr().prefixLength()));
                InetAddress a = address(base + (random.nextInt() & (span | 0xff)));
                boolean expected = blocks.stream().anyMatch(x -> x.cidr().contains(a)
                        && x.except().stream().noneMatch(e -> e.contains(a)));
                boolean actual = entries.stream().anyMatch(e -> e.contains(a));
                assertThat(actual).as("%s in %s", a, blocks).isEqualTo(expected);
            }
        }
    }

    @Test
    void entriesAreSortedAndDistinct() {
        List<IpPrefix> entries = PeerPrefixes.of(List.of(IpBlock.of(IpPrefix.parse("10.0.2.0/24")),
                IpBlock.of(IpPrefix.parse("10.0.1.0/24")), IpBlock.of(IpPrefix.parse("10.0.1.0/24"))));
        assertThat(entries).containsExactly(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("10.0.2.0/24"));
    }

    private static IpPrefix prefix(int bits, int len) throws UnknownHostException {
        return new IpPrefix(address(bits), len);
    }

    private static Inet4Address address(int v) throws UnknownHostException {
        return (Inet4Address) InetAddress.getByAddress(new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8),
            (byte) v});
    }
}
