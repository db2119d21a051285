package io.trellis.lab.apiserver;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FieldSelectorSplitTest {

    @Test
    void pathWithoutNodeNameIsForwardedUnchanged() {
        FieldSelectorSplit split = FieldSelectorSplit.of("/api/v1/pods?fieldSelector=metadata.name%3Da&watch=true");
        assertThat(split.forwardedPath()).isEqualTo("/api/v1/pods?fieldSelector=metadata.name%3Da&watch=true");
        assertThat(split.nodeName()).isEmpty();
    }

    @Test
    void nodeNameTermIsTakenOutAndTheRestKept() {
        FieldSelectorSplit split = FieldSelectorSplit.of(
                "/api/v1/pods?fieldSelector=metadata.namespace%3Dx%2Cspec.nodeName%3Dnode-1&watch=true");
        assertThat(split.forwardedPath()).isEqualTo("/api/v1/pods?fieldSelector=metadata.namespace%3Dx&watch=true");
        assertThat(split.nodeName()).contains(new FieldSelectorSplit.NodeNameTerm("node-1", false));
    }

    @Test
    void onlyTermDropsTheParameter() {
        FieldSelectorSplit split = FieldSelectorSplit.of("/api/v1/pods?fieldSelector=spec.nodeName%3D%3Dn2");
        assertThat(split.forwardedPath()).isEqualTo("/api/v1/pods");
        assertThat(split.nodeName()).contains(new FieldSelectorSplit.NodeNameTerm("n2", false));
    }

    @Test
    void negatedTermMatchesOtherNodesAndUnboundPods() {
        FieldSelectorSplit.NodeNameTerm term = FieldSelectorSplit.of("/api/v1/pods?fieldSelector=spec.nodeName!%3Dn1")
                .nodeName().orElseThrow();
        assertThat(term.negated()).isTrue();
        assertThat(term.matches("n1")).isFalse();
        assertThat(term.matches("n2")).isTrue();
        assertThat(term.matches(null)).isTrue();
    }

    @Test
    void emptyValueSelectsUnboundPods() {
        FieldSelectorSplit.NodeNameTerm term = FieldSelectorSplit.of("/api/v1/pods?fieldSelector=spec.nodeName%3D")
                .nodeName().orElseThrow();
        assertThat(term.matches(null)).isTrue();
        assertThat(term.matches("n1")).isFalse();
    }
}
