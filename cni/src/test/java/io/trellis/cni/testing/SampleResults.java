package io.trellis.cni.testing;

import io.trellis.cni.model.CniDns;
import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniIp;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.CniRoute;
import io.trellis.cni.model.IpLiteral;
import io.trellis.spi.model.IpAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A dual-stack pod result using every field a version can carry. */
public final class SampleResults {
    private SampleResults() {
    }

    public static CniResult dualStack(String netns) {
        CniRoute v4default = new CniRoute(IpLiteral.parse("0.0.0.0"), 0, Optional.of(IpLiteral.parse("10.10.1.1")),
                OptionalInt.of(1400), OptionalInt.of(1360), OptionalInt.of(10), OptionalInt.of(254), OptionalInt.of(0));
        return new CniResult(
                List.of(CniInterface.named("vethab12cd34").withMac("fe:ff:ff:ff:ff:ff"),
                        CniInterface.named("eth0").withMac("02:42:0a:0a:01:05").withMtu(1450).withSandbox(netns)),
                List.of(CniIp.on(1, new IpAddress(IpLiteral.parse("10.10.1.5"), 24,
                                Optional.of(IpLiteral.parse("10.10.1.1")))),
                        CniIp.on(1, new IpAddress(IpLiteral.parse("fd00:10:1::5"), 64,
                                Optional.of(IpLiteral.parse("fd00:10:1::1"))))),
                List.of(v4default, CniRoute.to(IpLiteral.parse("::"), 0).via(IpLiteral.parse("fd00:10:1::1"))),
                Optional.of(new CniDns(List.of("10.96.0.10"), Optional.of("cluster.local"),
                        List.of("x.svc.cluster.local", "svc.cluster.local"), List.of("ndots:5"))));
    }
}
