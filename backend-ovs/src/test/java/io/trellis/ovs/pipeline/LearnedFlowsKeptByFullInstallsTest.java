package io.trellis.ovs.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.ovs.openflow.client.OpenFlowClient;
import io.trellis.ovs.openflow.client.OpenFlowClientConfig;
import io.trellis.ovs.openflow.message.FlowMod;
import io.trellis.ovs.openflow.message.FlowModCommand;
import io.trellis.ovs.openflow.message.OfConstants;
import io.trellis.ovs.transport.Endpoint;
import io.trellis.ovs.transport.NettyTransport;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Full installs leave the flows OVS learned for a {@link PipelineInstaller.FullInstallPart} (its
 * {@code keptCookieKinds}: the Services' ClientIP affinities) and delete every other owned flow.
 * Bundles are only computed here; the client is never connected.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LearnedFlowsKeptByFullInstallsTest {

    private static final CookieScheme COOKIES = CookieScheme.DEFAULT;
    private static final PipelineFlows PIPELINE = new PipelineFlows(Pipeline.withServices(), COOKIES,
            PipelineFlows.DEFAULT_CT_ZONE);
    private static final long LEARNED = COOKIES.serviceAffinity(7);
    /** One cookie of every other kind the pipeline writes. */
    private static final List<Long> OTHERS = List.of(COOKIES.node(PipelineStage.CLASSIFIER),
            COOKIES.pod(PipelineStage.SPOOF_GUARD, 11), COOKIES.service(PipelineStage.SERVICE_LB, 7),
            COOKIES.tunnel(PipelineStage.CLASSIFIER),
            COOKIES.remoteNode(PipelineStage.L3_FORWARDING, Ipv4Subnet.parseAddress("10.251.0.2")));

    private NettyTransport transport;
    private OpenFlowClient client;

    @BeforeAll
    void up() {
        transport = new NettyTransport(1, "kept-kinds-test");
        client = new OpenFlowClient(transport, new Endpoint.Unix(Path.of("/nonexistent/br-int.mgmt")),
                OpenFlowClientConfig.DEFAULT);
    }

    @AfterAll
    void down() {
        client.close();
        transport.close();
    }

    @Test
    void theSelectionsCoverEveryOwnedKindButTheKeptOnesExactlyOnce() {
        for (Set<Integer> kept : List.of(Set.of(6), Set.of(3, 4, 6), Set.of(0), Set.of(255), Set.of(1, 128))) {
            List<CookieScheme.Selection> selections = COOKIES.ownedExceptKinds(kept);
            for (int kind = 0; kind <= 0xff; kind++) {
                // arbitrary stage and object bits: the selections look at owner and kind only
                long cookie = (long) COOKIES.owner() << 48 | (long) kind << 40 | 0x5aL << 32 | 0xdead_beefL;
                long hits = selections.stream().filter(s -> (cookie & s.mask()) == s.value()).count();
                assertThat(hits).as("kind %d with kept %s", kind, kept).isEqualTo(kept.contains(kind) ? 0 : 1);
                long foreign = (long) 0x1234 << 48 | (long) kind << 40;
                assertThat(selections).as("another owner's kind %d", kind)
                        .noneMatch(s -> (foreign & s.mask()) == s.value());
            }
        }
        // 8 blocks for one kept kind (one per bit of the kind), 1 without.
        assertThat(COOKIES.ownedExceptKinds(Set.of(6))).hasSize(8);
        assertThat(COOKIES.ownedExceptKinds(Set.of())).containsExactly(
                new CookieScheme.Selection(COOKIES.ownerValue(), COOKIES.ownerMask()));
    }

    @Test
    void aKeptKindOutOfRangeIsRefused() {
        assertThatThrownBy(() -> COOKIES.ownedExceptKinds(Set.of(256)))
                .hasMessage("kept cookie kind: 256 out of range 0..255");
        assertThatThrownBy(() -> PipelineInstaller.FullInstallPart.keeping(Set.of(0), List::of))
                .hasMessage("kept cookie kind: 0 out of range 1..255");
    }

    @Test
    void withoutAPartKeepingThemAFullInstallDeletesTheLearnedFlowsToo() {
        PipelineInstaller installer = new PipelineInstaller(client, PIPELINE);
        installer.addFullInstallPart(List::of);
        assertThat(installer.keptCookieKinds()).isEmpty();
        List<FlowMod> bundle = installer.installBundle(PipelineInstallerTest.NODE, PipelineInstallerTest.PODS);
        assertThat(deletes(bundle)).containsExactly(PIPELINE.deleteOwned());
        assertThat(deletesOf(bundle, LEARNED)).isTrue();
        assertThat(deletesOf(installer.installKeepingOverlayBundle(PipelineInstallerTest.NODE,
                PipelineInstallerTest.PODS), LEARNED)).isTrue();
    }

    @Test
    void withAPartKeepingThemBothFullInstallsLeaveTheLearnedFlowsAndDeleteTheRest() {
        PipelineInstaller installer = new PipelineInstaller(client, PIPELINE);
        installer.addFullInstallPart(PipelineInstaller.FullInstallPart.keeping(
                Set.of(CookieScheme.KIND_SERVICE_AFFINITY), List::of));
        assertThat(installer.keptCookieKinds()).containsExactly(CookieScheme.KIND_SERVICE_AFFINITY);

        List<FlowMod> bundle = installer.installBundle(PipelineInstallerTest.NODE, PipelineInstallerTest.PODS);
        assertThat(deletesOf(bundle, LEARNED)).as("learned affinity flow deleted").isFalse();
        assertThat(OTHERS).allMatch(cookie -> deletesOf(bundle, cookie));
        // The deletes come first, then the pipeline: no desired flow is deleted by a later delete.
        assertThat(bundle.subList(0, deletes(bundle).size())).allMatch(f -> f.command() == FlowModCommand.DELETE);
        assertThat(bundle.subList(deletes(bundle).size(), bundle.size())).noneMatch(f -> f.command() == FlowModCommand.DELETE);

        List<FlowMod> keepingOverlay = installer.installKeepingOverlayBundle(PipelineInstallerTest.NODE,
                PipelineInstallerTest.PODS);
        assertThat(deletesOf(keepingOverlay, LEARNED)).isFalse();
        assertThat(deletesOf(keepingOverlay, COOKIES.service(PipelineStage.SERVICE_LB, 7))).isTrue();
        assertThat(deletesOf(keepingOverlay, COOKIES.tunnel(PipelineStage.CLASSIFIER))).as("overlay kept").isFalse();
    }

    private static List<FlowMod> deletes(List<FlowMod> bundle) {
        return bundle.stream().filter(f -> f.command() == FlowModCommand.DELETE).toList();
    }

    /** Whether a delete of the bundle (all tables, match-all, by cookie) removes a flow with {@code cookie}. */
    private static boolean deletesOf(List<FlowMod> bundle, long cookie) {
        return deletes(bundle).stream().anyMatch(d -> {
            assertThat(d.tableId()).isEqualTo(OfConstants.TABLE_ALL);
            return (cookie & d.cookieMask()) == d.cookie();
        });
    }
}
