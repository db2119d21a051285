package io.trellis.lab.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReachabilityTest {
    private static final List<String> XYZ = List.of("x/a", "x/b", "x/c", "y/a", "y/b", "y/c", "z/a", "z/b", "z/c");

    @Test
    void nineByNinePodsMakeSeventyTwoPairsAllAllowedByDefault() {
        Reachability r = new Reachability(XYZ, true);
        assertThat(r.count(true)).isEqualTo(72);
        assertThat(r.count(false)).isZero();
        assertThat(r.allowed("x/a", "z/c")).isTrue();
    }

    @Test
    void ingressEgressAndNamespaceHelpersChangeExactlyTheirPairs() {
        Reachability r = new Reachability(XYZ, List.of("10.250.0.200"), true)
                .expectAllIngress("x/a", false)
                .expect("x/b", "x/a", true)
                .expectAllEgress("y/c", false)
                .expectFromNamespace("z", "y/a", false)
                .expectToNamespace("x/c", "z", false);
        assertThat(r.allowed("y/a", "x/a")).isFalse();
        assertThat(r.allowed("x/c", "x/a")).isFalse();
        assertThat(r.allowed("x/b", "x/a")).isTrue();
        assertThat(r.allowed("y/c", "10.250.0.200")).isFalse();
        assertThat(r.allowed("y/c", "y/a")).isFalse();
        assertThat(r.allowed("z/b", "y/a")).isFalse();
        assertThat(r.allowed("x/c", "z/a")).isFalse();
        assertThat(r.allowed("x/c", "y/a")).isTrue();
        assertThat(r.allowed("x/a", "10.250.0.200")).isTrue();
        // x/a ingress: 8 sources, 7 denied; y/c egress: 9 targets; z -> y/a: 3 (z/... -> y/a); x/c -> z: 3;
        // overlaps: y/c -> x/a counted in both ingress and egress.
        assertThat(r.count(false)).isEqualTo(7 + 9 - 1 + 3 + 3);
        assertThat(r.count(true) + r.count(false)).isEqualTo(9 * 8 + 9);
    }

    @Test
    void mismatchesNameEachPairWithBothValues() {
        Reachability expected = new Reachability(XYZ, true).expectAllIngress("x/a", false);
        Reachability observed = expected.copy().expect("y/b", "x/a", true).expect("z/c", "y/a", false);
        assertThat(expected.mismatches(observed)).containsExactly(
                "y/b -> x/a: expected denied, observed allowed",
                "z/c -> y/a: expected allowed, observed denied");
        assertThat(expected.mismatches(expected.copy())).isEmpty();
        assertThat(expected).isEqualTo(expected.copy()).isNotEqualTo(observed);
    }

    @Test
    void renderShowsAMatrixWithDotsCrossesAndDashesOnTheDiagonal() {
        Reachability r = new Reachability(List.of("x/a", "x/b"), List.of("out"), true).expect("x/b", "x/a", false);
        assertThat(r.render()).isEqualTo("""
                from\\to x/a x/b out\s
                x/a     -   .   .  \s
                x/b     X   -   .  \s
                """);
    }

    @Test
    void reportPrintsExpectedObservedAndDifferences() {
        Reachability expected = new Reachability(XYZ, true).expectAllEgress("z/a", false);
        Reachability observed = expected.copy().expect("z/a", "x/b", true);
        String report = Reachability.report("tcp/80", expected, observed);
        assertThat(report).startsWith("tcp/80: 1 of 72 pairs differ")
                .contains("expected:\n" + expected.render(), "observed:\n" + observed.render(),
                        "differences:\n  z/a -> x/b: expected denied, observed allowed");
    }

    @Test
    void unknownPodsAndSelfPairsAreRefused() {
        Reachability r = new Reachability(XYZ, true);
        assertThatThrownBy(() -> r.expect("x/a", "q/q", false)).hasMessageContaining("unknown target q/q");
        assertThatThrownBy(() -> r.expect("q/q", "x/a", false)).hasMessageContaining("unknown source pod q/q");
        assertThatThrownBy(() -> r.expect("x/a", "x/a", false)).hasMessageContaining("x/a to itself is not a pair");
        assertThatThrownBy(() -> r.mismatches(new Reachability(XYZ.subList(0, 3), true)))
                .hasMessageContaining("matrices over different pods");
    }
}
