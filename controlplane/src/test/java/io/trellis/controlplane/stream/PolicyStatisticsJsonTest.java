package io.trellis.controlplane.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.PodRef;
import io.trellis.spi.policy.Direction;
import io.trellis.spi.policy.IsolationDropCounters;
import io.trellis.spi.policy.PolicyRef;
import io.trellis.spi.policy.PolicyStatistics;
import io.trellis.spi.policy.RuleCounters;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyStatisticsJsonTest {
    private final PolicyStatisticsJson json = new PolicyStatisticsJson();

    @Test
    void statisticsRoundTrip() {
        PolicyStatistics stats = new PolicyStatistics(
                List.of(new RuleCounters(new PolicyRef("x", "p"), Direction.EGRESS, 2, 3, Long.MAX_VALUE, 5)),
                List.of(new IsolationDropCounters(new PodRef("x", "a"), Direction.INGRESS, 7, 8)));

        String text = json.encode(stats);

        assertThat(text).isEqualTo("{\"rules\":[{\"namespace\":\"x\",\"name\":\"p\",\"direction\":\"EGRESS\",\"index\":2,"
                + "\"sessions\":3,\"packets\":9223372036854775807,\"bytes\":5}],\"isolationDrops\":[{\"namespace\":\"x\","
                + "\"pod\":\"a\",\"direction\":\"INGRESS\",\"packets\":7,\"bytes\":8}]}");
        assertThat(json.decode(text)).isEqualTo(stats);
        assertThat(json.decode(json.encode(PolicyStatistics.NONE))).isEqualTo(PolicyStatistics.NONE);
    }

    @Test
    void malformedReportsNameTheFieldAndValue() {
        assertThatThrownBy(() -> json.decode("{\"rules\":[]}")).isInstanceOf(PolicyWireException.class)
                .hasMessage("field 'isolationDrops': required, missing");
        assertThatThrownBy(() -> json.decode("{\"rules\":[],\"isolationDrops\":[{\"namespace\":\"x\",\"pod\":\"a\","
                + "\"direction\":\"INGRESS\",\"packets\":1.5,\"bytes\":8}]}")).isInstanceOf(PolicyWireException.class)
                .hasMessage("field 'isolationDrops[0].packets': expected a non-negative 64-bit integer, got 1.5");
        assertThatThrownBy(() -> json.decode("{\"rules\":[],\"isolationDrops\":[{\"namespace\":\"x\",\"pod\":\"a\","
                + "\"direction\":\"INGRESS\",\"packets\":99999999999999999999,\"bytes\":8}]}"))
                .isInstanceOf(PolicyWireException.class)
                .hasMessage("field 'isolationDrops[0].packets': expected a non-negative 64-bit integer, "
                        + "got 99999999999999999999");
        assertThatThrownBy(() -> json.decode("{\"rules\":[{\"namespace\":\"\",\"name\":\"p\",\"direction\":\"EGRESS\","
                + "\"index\":0,\"sessions\":0,\"packets\":0,\"bytes\":0}],\"isolationDrops\":[]}"))
                .isInstanceOf(PolicyWireException.class)
                .hasMessage("field 'rules[0]': policy reference needs a namespace and a name, got '/p'");
    }
}
