package io.trellis.cli;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.stream.PolicyStreamProtocol;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@code trellisctl} reaches the controller's agent API: its https address, the CA that signed its
 * certificate, and a credential. The credential is interim: the API knows only agent tokens
 * ({@code <node>:<HMAC of the node name>}), and any valid one may read the statistics, so an admin uses one
 * node's token. The token file holds either {@code NODE:TOKEN} or, as the agent's own token file does, the
 * bare token, with the node name given separately ({@code node}).
 *
 * @param controller the agent API's base URL, {@code https://HOST:PORT}
 * @param caFile     PEM file of the CA (or certificate) to trust for the controller
 * @param tokenFile  the credential, read at each request
 * @param node       the node name for a bare token; must be empty when the file names the node itself
 * @param timeout    connect and answer timeout
 */
record ControllerAccess(URI controller, Path caFile, Path tokenFile, Optional<String> node, Duration timeout) {

    ControllerAccess {
        requireNonNull(controller, "controller");
        requireNonNull(caFile, "caFile");
        requireNonNull(tokenFile, "tokenFile");
        requireNonNull(node, "node");
        requireNonNull(timeout, "timeout");
        if (!"https".equalsIgnoreCase(controller.getScheme()) || controller.getHost() == null) {
            throw new IllegalArgumentException("controller address '" + controller
                    + "' is not an https://HOST:PORT URL (the agent API serves TLS only)");
        }
        if (controller.getRawQuery() != null || controller.getRawFragment() != null) {
            throw new IllegalArgumentException("controller address '" + controller + "' must have no query or fragment");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        node.ifPresent(n -> {
            if (n.isEmpty() || n.contains(":")) {
                throw new IllegalArgumentException("node name '" + n + "' must be non-empty and contain no ':'");
            }
        });
    }

    /** {@code path} (absolute, e.g. {@code /v1/policy/stats}) under the controller's address. */
    URI resolve(String pathAndQuery) {
        String base = controller.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        return URI.create(base + pathAndQuery);
    }

    /** The {@code Authorization} header value, from the token file as it is now. */
    Credential credential() {
        String text;
        try {
            text = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new ControllerApiException("cannot read the token file " + tokenFile + ": " + e, e);
        }
        if (text.isEmpty()) {
            throw new ControllerApiException("the token file " + tokenFile + " is empty");
        }
        if (text.lines().count() > 1) {
            throw new ControllerApiException("the token file " + tokenFile + " holds more than one line; expected"
                    + " NODE:TOKEN or a node's bare agent token");
        }
        Optional<PolicyStreamProtocol.Credentials> inFile = PolicyStreamProtocol.credentials("Bearer " + text);
        if (inFile.isPresent()) {
            if (node.isPresent() && !node.get().equals(inFile.get().node())) {
                throw new ControllerApiException("the token file " + tokenFile + " is for node '"
                        + inFile.get().node() + "', but --node says '" + node.get() + "'");
            }
            return new Credential(inFile.get().node(), PolicyStreamProtocol.authorization(inFile.get().node(),
                    inFile.get().token()));
        }
        if (text.contains(":")) {
            throw new ControllerApiException("the token file " + tokenFile
                    + " is neither NODE:TOKEN nor a bare token (an empty node or token around ':')");
        }
        String nodeName = node.orElseThrow(() -> new ControllerApiException("the token file " + tokenFile
                + " holds a bare agent token: give the node it belongs to with --node (or TRELLISCTL_NODE),"
                + " or write NODE:TOKEN into the file"));
        return new Credential(nodeName, PolicyStreamProtocol.authorization(nodeName, text));
    }

    /** An {@code Authorization} header value and the node whose token it carries (for messages). */
    record Credential(String node, String authorization) {
        Credential {
            requireNonNull(node, "node");
            requireNonNull(authorization, "authorization");
        }

        @Override
        public String toString() {
            // Never print the token.
            return "Credential[node=" + node + "]";
        }
    }
}
