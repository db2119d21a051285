package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Iperf3ResultTest {

    /** Real reports of iperf3 3.12 on this project's machine: a 5 s TCP client run and a refused connection. */
    private static String fixture(String name) throws IOException {
        try (InputStream in = Iperf3ResultTest.class.getResourceAsStream("/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void readsTheReceiverSumOfATcpClientReport() throws IOException {
        Iperf3Result r = Iperf3Result.parse(fixture("iperf3-tcp-client.json"));

        // end.sum_received, not end.sum_sent (417729452.64) nor an interval's figure
        assertThat(r.receivedBitsPerSecond()).isEqualTo(413628917.881664);
        assertThat(r.receivedMbitPerSecond()).isEqualTo(413.628917881664);
        assertThat(r.sentBitsPerSecond()).isEqualTo(417729452.6424331);
        assertThat(r.retransmits()).isEqualTo(39989);
        assertThat(r.seconds()).isEqualTo(5.003852);
        assertThat(r.streams()).isEqualTo(1);
        assertThat(r.mss()).isEqualTo(1398);
    }

    @Test
    void aFailedRunGivesIperf3sOwnError() throws IOException {
        assertThatThrownBy(() -> Iperf3Result.parse(fixture("iperf3-connection-refused.json")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("iperf3 failed: unable to connect to server: Connection refused");
    }

    @Test
    void aMissingOrNonNumericFieldIsNamed() throws IOException {
        String report = fixture("iperf3-tcp-client.json");
        String noReceiverSum = report.replace("\"sum_received\"", "\"sum_elsewhere\"");
        assertThatThrownBy(() -> Iperf3Result.parse(noReceiverSum))
                .hasMessage("iperf3 output: end.sum_received.bits_per_second is missing");

        String textualMss = report.replace("\"tcp_mss_default\":\t1398", "\"tcp_mss_default\":\t\"1398\"");
        assertThat(textualMss).isNotEqualTo(report);
        assertThatThrownBy(() -> Iperf3Result.parse(textualMss))
                .hasMessage("iperf3 output: start.tcp_mss_default is not a number: \"1398\"");
    }

    @Test
    void textThatIsNotJsonIsQuoted() {
        assertThatThrownBy(() -> Iperf3Result.parse("iperf3: error - unable to connect to server\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("iperf3 output is not JSON: 'iperf3: error - unable to connect to server'");
        assertThatThrownBy(() -> Iperf3Result.parse("[1, 2]"))
                .hasMessage("iperf3 output is not a JSON object: '[1, 2]'");
    }

    @Test
    void nothingReceivedIsNotAMeasurement() {
        assertThatThrownBy(() -> new Iperf3Result(0, 1e9, 0, 10, 1, 1398))
                .hasMessage("receiver throughput must be positive, got 0.0");
    }
}
