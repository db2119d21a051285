package io.trellis.agent.config;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Where the agent learns the name of the Kubernetes Node it serves ({@code nodeName:} in the configuration). */
public sealed interface NodeNameSource {

    /** A Node name is a DNS subdomain (RFC 1123): lower case labels of letters, digits and dashes, at most 253 characters. */
    Pattern DNS_SUBDOMAIN = Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    /**
     * Resolves the name; throws {@link IllegalStateException} naming the source when it yields no
     * valid name (unset variable, host name not a DNS subdomain).
     */
    String resolve(Map<String, String> environment, Supplier<String> hostname);

    /** From an environment variable, as a DaemonSet sets it with the downward API ({@code spec.nodeName}). */
    record Env(String variable) implements NodeNameSource {
        public Env {
            requireNonNull(variable, "variable");
            if (variable.isEmpty()) {
                throw new IllegalArgumentException("environment variable name must not be empty");
            }
        }

        @Override
        public String resolve(Map<String, String> environment, Supplier<String> hostname) {
            String value = environment.get(variable);
            if (value == null || value.isEmpty()) {
                throw new IllegalStateException("nodeName: environment variable " + variable + " is not set");
            }
            return check(value, "environment variable " + variable);
        }
    }

    /** The machine's host name, lower-cased as the kubelet does when it registers the Node. */
    record Hostname() implements NodeNameSource {
        @Override
        public String resolve(Map<String, String> environment, Supplier<String> hostname) {
            return check(hostname.get().toLowerCase(java.util.Locale.ROOT), "host name");
        }
    }

    /** A name written in the configuration (labs, tests). */
    record Fixed(String name) implements NodeNameSource {
        public Fixed {
            requireNonNull(name, "name");
            if (!DNS_SUBDOMAIN.matcher(name).matches()) {
                throw new IllegalArgumentException("'" + name + "' is not a valid Node name (an RFC 1123 DNS subdomain)");
            }
        }

        @Override
        public String resolve(Map<String, String> environment, Supplier<String> hostname) {
            return name;
        }
    }

    private static String check(String value, String origin) {
        if (!DNS_SUBDOMAIN.matcher(value).matches()) {
            throw new IllegalStateException("nodeName: " + origin + " is '" + value
                    + "', not a valid Node name (an RFC 1123 DNS subdomain)");
        }
        return value;
    }
}
