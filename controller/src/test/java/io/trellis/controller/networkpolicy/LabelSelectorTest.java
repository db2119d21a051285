package io.trellis.controller.networkpolicy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LabelSelectorTest {
    private static LabelRequirement req(String key, SelectorOperator op, String... values) {
        return new LabelRequirement(key, op, new TreeSet<>(List.of(values)));
    }

    @Test
    void emptySelectorSelectsEverything() {
        assertThat(LabelSelector.EVERYTHING.matches(Map.of())).isTrue();
        assertThat(LabelSelector.EVERYTHING.matches(Map.of("a", "b"))).isTrue();
    }

    @Test
    void matchLabelsNeedEveryPair() {
        LabelSelector selector = LabelSelector.matchLabels(Map.of("app", "web", "tier", "front"));
        assertThat(selector.matches(Map.of("app", "web", "tier", "front", "x", "y"))).isTrue();
        assertThat(selector.matches(Map.of("app", "web"))).isFalse();
        assertThat(selector.matches(Map.of("app", "web", "tier", "back"))).isFalse();
    }

    @Test
    void operatorsFollowUpstreamSemanticsForMissingLabels() {
        Map<String, String> none = Map.of();
        Map<String, String> a = Map.of("k", "a");
        Map<String, String> c = Map.of("k", "c");
        assertThat(req("k", SelectorOperator.IN, "a", "b").matches(a)).isTrue();
        assertThat(req("k", SelectorOperator.IN, "a", "b").matches(c)).isFalse();
        assertThat(req("k", SelectorOperator.IN, "a", "b").matches(none)).isFalse();
        assertThat(req("k", SelectorOperator.NOT_IN, "a", "b").matches(a)).isFalse();
        assertThat(req("k", SelectorOperator.NOT_IN, "a", "b").matches(c)).isTrue();
        assertThat(req("k", SelectorOperator.NOT_IN, "a", "b").matches(none)).isTrue();
        assertThat(req("k", SelectorOperator.EXISTS).matches(a)).isTrue();
        assertThat(req("k", SelectorOperator.EXISTS).matches(none)).isFalse();
        assertThat(req("k", SelectorOperator.DOES_NOT_EXIST).matches(a)).isFalse();
        assertThat(req("k", SelectorOperator.DOES_NOT_EXIST).matches(none)).isTrue();
    }

    @Test
    void labelsAndExpressionsAreAnded() {
        LabelSelector selector = LabelSelector.of(Map.of("app", "web"), List.of(req("env", SelectorOperator.NOT_IN, "prod")));
        assertThat(selector.matches(Map.of("app", "web", "env", "dev"))).isTrue();
        assertThat(selector.matches(Map.of("app", "web", "env", "prod"))).isFalse();
        assertThat(selector.matches(Map.of("env", "dev"))).isFalse();
    }

    @Test
    void selectorsWrittenDifferentlyAreEqualAndNameTheSameGroup() {
        LabelSelector one = LabelSelector.of(Map.of("a", "1", "b", "2"),
                List.of(req("x", SelectorOperator.IN, "q", "p"), req("y", SelectorOperator.EXISTS)));
        LabelSelector other = LabelSelector.of(Map.of("b", "2", "a", "1"),
                List.of(req("y", SelectorOperator.EXISTS), req("x", SelectorOperator.IN, "p", "q"),
                        req("y", SelectorOperator.EXISTS)));
        assertThat(one).isEqualTo(other);
        assertThat(GroupSelector.inNamespace("ns", one).name()).isEqualTo(GroupSelector.inNamespace("ns", other).name());
        assertThat(GroupSelector.inNamespace("ns", one).name()).isNotEqualTo(GroupSelector.inNamespace("ns2", one).name());
        assertThat(GroupSelector.inNamespace("ns", one).name())
                .isNotEqualTo(GroupSelector.byNamespaceSelector(LabelSelector.EVERYTHING, one).name());
    }

    @Test
    void namesCannotCollideThroughSeparatorCharacters() {
        LabelSelector one = LabelSelector.matchLabels(Map.of("a", "b,c=d"));
        LabelSelector other = LabelSelector.matchLabels(Map.of("a", "b", "c", "d"));
        assertThat(GroupSelector.inNamespace("ns", one).name()).isNotEqualTo(GroupSelector.inNamespace("ns", other).name());
        Set<String> names = Set.of(GroupSelector.inNamespace("ns", one).name(), GroupSelector.inNamespace("ns", other).name());
        assertThat(names).allSatisfy(n -> assertThat(n).matches("[0-9a-f]{32}"));
    }

    @Test
    void namespaceSelectorMatchesNoUnknownNamespace() {
        GroupSelector all = GroupSelector.byNamespaceSelector(LabelSelector.EVERYTHING, LabelSelector.EVERYTHING);
        assertThat(all.matchesNamespace("x", Map.of())).isTrue();
        assertThat(all.matchesNamespace("x", null)).isFalse();
        assertThat(GroupSelector.inNamespace("x", LabelSelector.EVERYTHING).matchesNamespace("x", null)).isTrue();
        assertThat(GroupSelector.inNamespace("x", LabelSelector.EVERYTHING).matchesNamespace("y", Map.of())).isFalse();
    }

    @Test
    void requirementValuesMustFitTheOperator() {
        assertThatThrownBy(() -> req("k", SelectorOperator.IN)).hasMessageContaining("k In needs values");
        assertThatThrownBy(() -> req("k", SelectorOperator.EXISTS, "v")).hasMessageContaining("takes no values");
    }
}
