package io.trellis.cli;

import static java.util.Objects.requireNonNull;

import io.trellis.controlplane.stream.PemTls;
import io.trellis.controlplane.stream.PolicyStatisticsJson;
import io.trellis.controlplane.stream.PolicyStreamProtocol;
import io.trellis.controlplane.stream.PolicyWireException;
import io.trellis.spi.policy.PolicyStatistics;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * {@code GET /v1/policy/stats[?namespace=NS]} on the controller's agent API (see controller/README.md,
 * "Policy channel"): the sums over all nodes of the NetworkPolicy rule counters and the isolation drops.
 * Every failure is a {@link ControllerApiException} naming what failed: the files, the connection, TLS,
 * the credential or the answer.
 */
final class PolicyStatsClient {
    /** Longest server error text quoted in a message. */
    private static final int MAX_QUOTED = 300;

    private final ControllerAccess access;
    private final PolicyStatisticsJson json = new PolicyStatisticsJson();

    PolicyStatsClient(ControllerAccess access) {
        this.access = requireNonNull(access, "access");
    }

    /** The server's JSON text as sent, and what it says. */
    record Answer(String json, PolicyStatistics statistics) {
        Answer {
            requireNonNull(json, "json");
            requireNonNull(statistics, "statistics");
        }
    }

    Answer fetch(Optional<String> namespace) throws InterruptedException {
        requireNonNull(namespace, "namespace");
        ControllerAccess.Credential credential = access.credential();
        HttpClient http;
        try {
            http = HttpClient.newBuilder()
                    .sslContext(PemTls.trusting(access.caFile()))
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(access.timeout())
                    .build();
        } catch (IllegalArgumentException e) {
            // PemTls names the CA file and what is wrong with it.
            throw new ControllerApiException("--ca-file: " + e.getMessage(), e);
        }
        URI uri = access.resolve(PolicyStreamProtocol.STATS_PATH + namespace
                .map(ns -> "?" + PolicyStreamProtocol.NAMESPACE_PARAM + "=" + URLEncoder.encode(ns, StandardCharsets.UTF_8))
                .orElse(""));
        HttpRequest request = HttpRequest.newBuilder(uri).GET()
                .timeout(access.timeout())
                .header("Authorization", credential.authorization())
                .header("Accept", PolicyStreamProtocol.JSON_CONTENT_TYPE)
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new ControllerApiException(describe(e, uri), e);
        }
        return answer(uri, credential, response.statusCode(), response.body());
    }

    private Answer answer(URI uri, ControllerAccess.Credential credential, int status, String body) {
        switch (status) {
            case 200 -> {
                try {
                    return new Answer(body, json.decode(body));
                } catch (PolicyWireException | IllegalArgumentException e) {
                    throw new ControllerApiException("the controller at " + uri
                            + " answered with unreadable statistics: " + e.getMessage(), e);
                }
            }
            case 401 -> throw new ControllerApiException("the controller at " + access.controller()
                    + " refused the token of node '" + credential.node() + "' from " + access.tokenFile()
                    + " (HTTP 401" + quoted(body) + "): the token must be the node's HMAC under the controller's"
                    + " agentTokenSecretFile");
            case 404 -> throw new ControllerApiException("the server at " + access.controller()
                    + " has no " + PolicyStreamProtocol.STATS_PATH + " (HTTP 404): is this the controller's agentApi"
                    + " address?");
            case 503 -> throw new ControllerApiException("the controller at " + access.controller()
                    + " is not ready yet (HTTP 503" + quoted(body) + "): it has not computed its first NetworkPolicy"
                    + " state; try again");
            default -> throw new ControllerApiException("the controller at " + uri + " answered HTTP " + status
                    + quoted(body));
        }
    }

    private String describe(IOException e, URI uri) {
        SSLException tls = find(e, SSLException.class);
        if (tls != null) {
            return "TLS with the controller at " + access.controller() + " failed (is it served by the agent API, is"
                    + " its certificate signed by the CA in " + access.caFile() + " and does it name '" + uri.getHost()
                    + "'?): " + innermostMessage(tls);
        }
        if (find(e, HttpTimeoutException.class) != null) {
            return "the controller at " + access.controller() + " did not answer within "
                    + access.timeout().toMillis() + " ms";
        }
        ConnectException refused = find(e, ConnectException.class);
        if (refused != null) {
            // The JDK client's ConnectException often has no message (a closed channel underneath).
            String why = refused.getMessage() == null || refused.getMessage().isBlank()
                    ? "connection refused or unreachable" : refused.getMessage();
            return "cannot connect to the controller at " + access.controller() + ": " + why;
        }
        return "request to the controller at " + uri + " failed: " + innermostMessage(e);
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The deepest cause's message (the JDK wraps the useful one), or its class when none has one. */
    private static String innermostMessage(Throwable e) {
        String message = null;
        Throwable last = e;
        for (Throwable t = e; t != null; t = t.getCause()) {
            last = t;
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message == null ? last.getClass().getName() : message;
    }

    private static String quoted(String body) {
        String text = body == null ? "" : body.strip();
        if (text.isEmpty()) {
            return "";
        }
        return ": " + (text.length() > MAX_QUOTED ? text.substring(0, MAX_QUOTED) + "..." : text);
    }
}
