package io.trellis.iptables.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.trellis.spi.model.PodAttachment;
import io.trellis.spi.model.PodRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AttachmentStoreTest {

    @TempDir
    Path stateDir;

    @Test
    void writesReadsListsAndDeletesRecords() throws Exception {
        AttachmentStore store = new AttachmentStore(stateDir);
        assertThat(store.list()).isEmpty();
        AttachmentRecord a = AttachmentRecordTest.RECORD;
        PodAttachment other = new PodAttachment("beef", "eth0", new PodRef("y", "b"));
        AttachmentRecord b = new AttachmentRecord(other, HostVethNaming.hostInterface(other), Path.of("/proc/7/ns/net"),
                List.of("10.244.1.9/24"), a.mac(), 1500);
        store.write(a);
        store.write(b);

        Path file = stateDir.resolve("attachments").resolve(a.hostInterface() + ".attachment");
        assertThat(Files.readString(file)).isEqualTo(a.encode());
        assertThat(store.read(a.hostInterface())).contains(a);
        assertThat(store.list()).containsExactlyInAnyOrder(a, b);
        // No temporary files are left next to the records.
        try (var files = Files.list(store.directory())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(a.hostInterface() + ".attachment", b.hostInterface() + ".attachment");
        }

        store.delete(a.hostInterface());
        store.delete(a.hostInterface());
        assertThat(store.read(a.hostInterface())).isEmpty();
        assertThat(store.list()).containsExactly(b);
    }

    @Test
    void aDamagedRecordFailsWhenReadAndIsSkippedButKeptWhenListing() throws Exception {
        AttachmentStore store = new AttachmentStore(stateDir);
        store.write(AttachmentRecordTest.RECORD);
        String host = "tb00112233aabb";
        Path damaged = store.directory().resolve(host + ".attachment");
        Files.writeString(damaged, "version=1\ncontainerId=x\n");
        assertThatThrownBy(() -> store.read(host)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(damaged + ": field ");
        assertThat(store.list()).containsExactly(AttachmentRecordTest.RECORD);
        assertThat(damaged).exists();
    }

    @Test
    void aRecordUnderAnotherHostNameIsRefused() throws Exception {
        AttachmentStore store = new AttachmentStore(stateDir);
        Files.createDirectories(store.directory());
        Files.writeString(store.directory().resolve("tb00112233aabb.attachment"), AttachmentRecordTest.RECORD.encode());
        assertThatThrownBy(() -> store.read("tb00112233aabb"))
                .hasMessageEndingWith("field 'hostInterface': '" + AttachmentRecordTest.RECORD.hostInterface()
                        + "' does not match the file name");
        assertThatThrownBy(() -> store.read("../etc")).hasMessage("'../etc' is not a pod host interface name of this backend");
    }
}
