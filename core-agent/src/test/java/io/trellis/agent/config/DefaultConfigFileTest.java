package io.trellis.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.trellis.agent.backend.BackendRegistry;
import io.trellis.spi.model.Mtu;
import io.trellis.spi.model.TunnelType;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The shipped {@code config/trellis-agent.yaml}: valid, and documenting every field the agent reads. */
class DefaultConfigFileTest {

    private static final Path DEFAULT_FILE = Path.of("..", "config", "trellis-agent.yaml");

    /** Record components whose YAML key is not at the same place as in the record tree. */
    private static final Map<String, String> YAML_PATH_OF_COMPONENT = Map.of("ovs", "settings.ovs");

    @Test
    void defaultFileIsValidAgainstBackendsProvidingWhatItNames() {
        AgentConfig config = new AgentConfigLoader(BackendRegistry.discover(getClass().getClassLoader()))
                .load(DEFAULT_FILE);

        assertThat(config.backends().ipam()).isEqualTo("host-local");
        assertThat(config.backends().podInterface()).isEqualTo("ovs");
        assertThat(config.backends().nodeRoutes()).contains("ovs");
        assertThat(config.backends().serviceProxy()).contains("ovs");
        assertThat(config.backends().policy()).isEmpty();
        assertThat(config.network()).isEqualTo(
                new NetworkConfig(new Mtu.Auto(), new PodCidrSource.NodeSpec(), TunnelType.GENEVE));
        assertThat(config.nodeName()).isEqualTo(new NodeNameSource.Env("NODE_NAME"));
        assertThat(config.ovs().orElseThrow().datapathType()).isEqualTo(DatapathType.SYSTEM);
    }

    @Test
    void everyFieldOfAgentConfigIsDocumentedInTheDefaultFile() throws IOException {
        Map<String, Boolean> documented = documentedKeys(Files.readAllLines(DEFAULT_FILE));

        List<String> expected = new ArrayList<>();
        componentPaths(AgentConfig.class, "", expected);
        AgentConfigLoader.KEYS.forEach((section, keys) ->
                keys.forEach(k -> expected.add(section.isEmpty() ? k : section + "." + k)));

        assertThat(expected).contains("backends.podInterface", "settings.ovs.datapathType",
                "settings.ovs.netdev.pmdCpuMask", "nodeName.value", "network.mtu", "paths.cniSocket");
        for (String path : expected) {
            assertThat(documented).as("key %s in %s", path, DEFAULT_FILE).containsKey(path);
            assertThat(documented.get(path)).as("a comment right above %s", path).isTrue();
        }
    }

    @Test
    void theDocumentationCheckerSeesMissingAndUncommentedKeys() {
        Map<String, Boolean> keys = documentedKeys(List.of(
                "# the section",
                "a:",
                "  # documented",
                "  b: 1",
                "  c: 2",
                "  # commented-out but documented",
                "  # d: 3",
                "",
                "e: 4"));
        assertThat(keys).containsExactly(Map.entry("a", true), Map.entry("a.b", true), Map.entry("a.c", false),
                Map.entry("a.d", true), Map.entry("e", false));
    }

    /** Adds the YAML path of every record component, recursing into records and optional records. */
    private static void componentPaths(Class<?> record, String prefix, List<String> out) {
        for (RecordComponent component : record.getRecordComponents()) {
            String path = prefix.isEmpty()
                    ? YAML_PATH_OF_COMPONENT.getOrDefault(component.getName(), component.getName())
                    : prefix + "." + component.getName();
            out.add(path);
            Class<?> nested = component.getType();
            if (nested == Optional.class) {
                Type arg = ((ParameterizedType) component.getGenericType()).getActualTypeArguments()[0];
                nested = arg instanceof Class<?> c ? c : Object.class;
            }
            if (nested.isRecord()) {
                componentPaths(nested, path, out);
            }
        }
    }

    private static final Pattern KEY_LINE = Pattern.compile("^(\\s*)(#\\s*)?([A-Za-z][\\w-]*):(\\s.*)?$");

    /**
     * Every key in the file, live or commented out ({@code # key: value}), by its dotted path, with
     * whether a prose comment line stands right above it. A commented-out key nests by the column
     * of its {@code #}.
     */
    private static Map<String, Boolean> documentedKeys(List<String> lines) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        Deque<Map.Entry<Integer, String>> stack = new ArrayDeque<>();
        boolean proseAbove = false;
        for (String line : lines) {
            Matcher m = KEY_LINE.matcher(line);
            if (m.matches()) {
                int indent = m.group(1).length();
                while (!stack.isEmpty() && stack.peek().getKey() >= indent) {
                    stack.pop();
                }
                String path = stack.isEmpty() ? m.group(3) : stack.peek().getValue() + "." + m.group(3);
                out.put(path, proseAbove);
                stack.push(Map.entry(indent, path));
                proseAbove = false;
            } else {
                proseAbove = line.trim().startsWith("#");
            }
        }
        return out;
    }
}
