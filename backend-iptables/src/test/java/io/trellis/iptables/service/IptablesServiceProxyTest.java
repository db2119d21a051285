package io.trellis.iptables.service;

import io.trellis.iptables.exec.CommandRunner;
import static io.trellis.iptables.service.Fixtures.port;
import static io.trellis.iptables.service.Fixtures.ready;
import static io.trellis.iptables.service.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.Protocol;
import io.trellis.spi.service.Service;
import io.trellis.spi.service.ServiceProxyException;
import io.trellis.spi.service.ServiceRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The proxy's sync logic against a recording stand-in for the iptables tools. */
class IptablesServiceProxyTest {

    /** Records every run; iptables-save shows empty tables; restore fails while {@link #failRestore} is set. */
    private static final class FakeTools implements CommandRunner {
        final List<List<String>> runs = Collections.synchronizedList(new ArrayList<>());
        final List<String> restored = Collections.synchronizedList(new ArrayList<>());
        volatile boolean failRestore;

        @Override
        public Result run(List<String> argv, String stdin) {
            runs.add(argv);
            if (argv.get(0).equals("iptables-restore")) {
                if (failRestore) {
                    return new Result(2, "", "iptables-restore: line 3 failed");
                }
                restored.add(stdin);
            }
            return new Result(0, "", "");
        }

        long count(String program) {
            synchronized (runs) {
                return runs.stream().filter(a -> a.get(0).equals(program)).count();
            }
        }
    }

    private final FakeTools tools = new FakeTools();
    private final IptablesServiceProxy proxy = new IptablesServiceProxy(Fixtures.generator(),
            new IptablesCommands(tools, "iptables-save", "iptables-restore", Optional.of("conntrack")),
            Duration.ofMillis(100), Duration.ofMillis(200));

    @AfterEach
    void close() {
        proxy.close();
    }

    private static Service web(String... ips) {
        List<io.trellis.spi.service.ServiceEndpoint> eps = new ArrayList<>();
        for (String ip : ips) {
            eps.add(ready(ip, "node-a", "", Protocol.UDP, 5353));
        }
        return service("web", "10.96.0.10", List.of(port("", Protocol.UDP, 53)), eps);
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 5 s");
            }
            Thread.sleep(20);
        }
    }

    @Test
    void replaceAllConvergesFromOneSavePerTableAndAppliesOneTransaction() {
        proxy.replaceAll(List.of(web("10.244.1.5")));

        assertThat(tools.runs).containsExactly(List.of("iptables-save", "-t", "nat"), List.of("iptables-save", "-t", "filter"),
                List.of("iptables-restore", "--noflush", "--wait=5"));
        assertThat(tools.restored.get(0)).contains("-I PREROUTING 1 ", "DNAT --to-destination 10.244.1.5:5353");
    }

    @Test
    void aLargeReplaceAllRunsSeveralRestoresInThePlansOrder() {
        List<Service> many = RuleCatalog.copies(100, "");
        ServiceRuleGenerator generator = Fixtures.generator();
        List<String> plan = RestorePlan.converge(new SavedTables(java.util.Map.of()),
                RuleSet.assemble(generator, many.stream().map(generator::rulesFor).toList()),
                RestorePlan.CHAINS_PER_TRANSACTION);

        proxy.replaceAll(many);

        assertThat(plan.size()).isGreaterThan(2);
        assertThat(tools.restored).containsExactlyElementsOf(plan);
        assertThat(tools.count("iptables-save")).isEqualTo(2);
    }

    @Test
    void upsertsWithinTheBatchDelayBecomeOneIncrementalTransaction() throws InterruptedException {
        proxy.replaceAll(List.of());
        tools.runs.clear();
        tools.restored.clear();

        proxy.upsert(web("10.244.1.5"));
        proxy.upsert(web("10.244.1.5", "10.244.1.6"));
        proxy.upsert(service("db", "10.96.0.20", List.of(port("", Protocol.TCP, 5432)), List.of()));
        await(() -> tools.count("iptables-restore") == 1);
        Thread.sleep(300); // nothing else follows

        assertThat(tools.count("iptables-restore")).isEqualTo(1);
        assertThat(tools.count("iptables-save")).isZero();
        assertThat(tools.restored.get(0)).contains("10.244.1.6:5353", "default/db has no endpoints").doesNotContain("-I ");
    }

    @Test
    void removingAnEndpointDeletesItsUdpConntrackEntries() throws InterruptedException {
        proxy.replaceAll(List.of(web("10.244.1.5", "10.244.1.6")));
        tools.runs.clear();

        proxy.upsert(web("10.244.1.5"));
        proxy.flush();

        assertThat(tools.runs).contains(List.of("conntrack", "-D", "-p", "udp", "--orig-dst", "10.96.0.10", "--orig-port-dst",
                "53", "--reply-src", "10.244.1.6", "--reply-port-src", "5353"));
        proxy.remove(new ServiceRef("default", "web"));
        proxy.flush();
        assertThat(tools.runs).contains(List.of("conntrack", "-D", "-p", "udp", "--orig-dst", "10.96.0.10", "--orig-port-dst",
                "53"));
    }

    @Test
    void aFailedReplaceAllThrowsAndTheNextSyncConvergesFromTheKernelAgain() throws InterruptedException {
        tools.failRestore = true;
        assertThatThrownBy(() -> proxy.replaceAll(List.of(web("10.244.1.5"))))
                .isInstanceOf(ServiceProxyException.class).hasMessageContaining("line 3 failed");

        tools.failRestore = false;
        tools.runs.clear();
        proxy.upsert(web("10.244.1.6"));
        await(() -> tools.count("iptables-restore") == 1);
        assertThat(tools.count("iptables-save")).isEqualTo(2);
    }

    @Test
    void aFailedBatchIsRetriedFromTheKernel() throws InterruptedException {
        proxy.replaceAll(List.of());
        tools.failRestore = true;
        tools.runs.clear();
        tools.restored.clear();
        proxy.upsert(web("10.244.1.5"));
        await(() -> tools.count("iptables-restore") >= 1);
        tools.failRestore = false;

        await(() -> tools.restored.size() == 1);
        assertThat(tools.restored.get(0)).contains("10.244.1.5:5353");
        assertThat(tools.count("iptables-save")).isPositive();
    }

    @Test
    void removingAnUnknownServiceDoesNothing() throws InterruptedException {
        proxy.replaceAll(List.of());
        tools.runs.clear();
        proxy.remove(new ServiceRef("default", "nope"));
        Thread.sleep(300);
        assertThat(tools.runs).isEmpty();
    }
}
