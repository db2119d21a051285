package io.trellis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.spi.TrellisBackend;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code config/trellis-agent.yaml} documents every setting of every backend shipped with the
 * agent (this module's class path carries the agent's, backends included): an admin reads the keys there.
 */
class ShippedConfigDocumentationTest {

    private static final Path SHIPPED = Path.of("..", "config", "trellis-agent.yaml");
    /** A key line under {@code settings:}, live or commented out: indent, the key. */
    private static final Pattern KEY = Pattern.compile("^( *)(?:# ?)?([A-Za-z][\\w-]*):(?:\\s.*)?$");

    @Test
    void everySettingOfEveryShippedBackendHasACommentedLineWithProseAbove() throws IOException {
        List<String> lines = Files.readAllLines(SHIPPED);
        BackendRegistry registry = BackendRegistry.discover(getClass().getClassLoader());
        assertThat(registry.names()).contains("ovs", "linux-bridge", "vxlan", "iptables");

        for (Map.Entry<String, TrellisBackend> backend : registry.asMap().entrySet()) {
            if (backend.getValue().settingKeys().isEmpty()) {
                continue; // no section to document
            }
            List<String> section = settingsSection(lines, backend.getKey());
            for (String key : backend.getValue().settingKeys()) {
                int at = indexOfKey(section, key);
                assertThat(at).as("settings.%s.%s in %s", backend.getKey(), key, SHIPPED).isPositive();
                assertThat(section.get(at - 1).strip()).as("the line above settings.%s.%s", backend.getKey(), key)
                        .startsWith("#").doesNotMatch("#\\s*[A-Za-z][\\w-]*:(\\s.*)?");
            }
        }
    }

    @Test
    void theSectionReaderStopsAtTheNextBackend() {
        List<String> lines = List.of("settings:", "  # a:", "    # x: 1", "  # b:", "    # y: 2");
        assertThat(settingsSection(lines, "a")).containsExactly("  # a:", "    # x: 1");
        assertThat(indexOfKey(settingsSection(lines, "b"), "y")).isEqualTo(1);
        assertThat(indexOfKey(settingsSection(lines, "a"), "y")).isEqualTo(-1);
    }

    /** The lines of {@code settings.<backend>} (commented out or not), from its key line to the next sibling. */
    private static List<String> settingsSection(List<String> lines, String backend) {
        int settings = lines.indexOf("settings:");
        assertThat(settings).as("a settings: section in %s", SHIPPED).isNotNegative();
        List<String> out = new ArrayList<>();
        for (String line : lines.subList(settings + 1, lines.size())) {
            Matcher m = KEY.matcher(line);
            boolean sibling = m.matches() && m.group(1).length() == 2;
            if (sibling && !out.isEmpty()) {
                break;
            }
            if (sibling && m.group(2).equals(backend) || !out.isEmpty()) {
                out.add(line);
            }
        }
        assertThat(out).as("settings.%s in %s", backend, SHIPPED).isNotEmpty();
        return out;
    }

    private static int indexOfKey(List<String> section, String key) {
        for (int i = 1; i < section.size(); i++) {
            Matcher m = KEY.matcher(section.get(i));
            if (m.matches() && m.group(1).length() > 2 && m.group(2).equals(key)) {
                return i;
            }
        }
        return -1;
    }
}
