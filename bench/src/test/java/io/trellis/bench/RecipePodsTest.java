package io.trellis.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipePodsTest {

    @Test
    void findsThePodsInTheLineTheSharedRecipePrints() {
        // The line as shared/recipes/ovs-two-node-lab.sh prints it (the recipe is not part of the repository, so a
        // clean clone in CI may not have it beside; a bench run checks the real output).
        String output = "PING ...\npod 10.10.1.2 (netns rlp1a) -> pod 10.10.2.2 (netns rlp2a):\n"
                + "PING 10.10.2.2 (10.10.2.2) 56(84) bytes of data.\n";

        assertThat(RecipePods.podsOf(output)).containsExactly("10.10.1.2", "rlp1a", "10.10.2.2", "rlp2a");
    }

    @Test
    void outputWithoutThePodLineSaysSo() {
        assertThatThrownBy(() -> RecipePods.podsOf("ClusterIP 10.96.0.10:80 from pod on node 1:\nHTTP 200\n"))
                .hasMessageStartingWith("the recipe's output has no line 'pod ADDRESS (netns NS) -> pod ADDRESS"
                        + " (netns NS):'");
    }

    @Test
    void namespacesAndLinksWithTheRecipesPrefixAreFound() {
        String netns = "tl3f2a-node-1 (id: 2)\nrln2 (id: 1)\nrlp1a\nworld\n";
        String links = """
                1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
                7: rlu1@rlu2: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 9a:cf:5e:7d:10:11 brd ff:ff:ff:ff:ff:ff
                9: brl0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 9a:cf:5e:7d:10:12 brd ff:ff:ff:ff:ff:ff
                """;

        assertThat(RecipePods.prefixed(netns, links)).containsExactly("netns rln2", "netns rlp1a", "link rlu1");
        assertThat(RecipePods.prefixed("", "")).isEmpty();
    }

    @Test
    void aMissingRecipeIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("shared/recipes/ovs-two-node-lab.sh");
        assertThatThrownBy(() -> RecipePods.requireRecipe(missing))
                .hasMessageStartingWith("the shared recipe " + missing + " is missing");
    }

    @Test
    void closingBeforeStartingRunsNothing(@TempDir Path dir) {
        // A refused start (names taken by another run) must not run the recipe's down, which would remove them.
        Path recipe = dir.resolve("recipe.sh");
        RecipePods pods = new RecipePods(recipe, dir.resolve("root"));
        pods.close();
        assertThat(recipe).doesNotExist();
        assertThat(dir.resolve("root")).doesNotExist();
    }
}
