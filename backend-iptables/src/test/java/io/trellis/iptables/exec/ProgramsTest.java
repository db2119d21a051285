package io.trellis.iptables.exec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ProgramsTest {

    @Test
    void findsAnExecutableOnThePathOrInTheSbinDirectories() {
        assertThat(Programs.find("sh")).hasValueSatisfying(p -> assertThat(Files.isExecutable(p)).isTrue());
        // iptables-save is in /usr/sbin on Debian, found even by an agent whose PATH lacks it.
        assertThat(Programs.find("iptables-save")).isPresent();
        assertThat(Programs.find("no-such-tool-trellis")).isEmpty();
    }

    @Test
    void theMissingToolErrorSaysWhatToInstallAndWhatNeedsIt() {
        assertThat(Programs.missing("ipset", "ipset", "the iptables policy enforcer")).hasMessage(
                "ipset not found in PATH or [/usr/sbin, /sbin]: install the ipset package (the iptables policy enforcer"
                        + " needs it)");
    }
}
