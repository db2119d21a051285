package io.trellis.cni.plugin;

import io.trellis.cni.model.CniInterface;
import io.trellis.cni.model.CniResult;
import io.trellis.cni.model.CniRoute;
import java.util.Optional;
import java.util.OptionalInt;

/** A result as it survives a trip through a pre-1.1.0 result: interface and route extras are gone. */
final class SampleResultsWithout11Fields {
    private SampleResultsWithout11Fields() {
    }

    static CniResult of(CniResult r) {
        return new CniResult(
                r.interfaces().stream().map(i -> new CniInterface(i.name(), i.mac(), OptionalInt.empty(), i.sandbox(),
                        Optional.empty(), Optional.empty())).toList(),
                r.ips(),
                r.routes().stream().map(x -> new CniRoute(x.destination(), x.prefixLength(), x.gateway(),
                        OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
                        OptionalInt.empty())).toList(),
                r.dns());
    }
}
