package io.trellis.agent.backend;

import static java.util.Objects.requireNonNull;

import io.trellis.spi.TrellisBackend;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The backends available to this agent, by name: those found by {@link ServiceLoader} on the class
 * path ({@code META-INF/services/io.trellis.spi.TrellisBackend}). Two backends with one name are an
 * error rather than a silent pick, since which one ServiceLoader lists first depends on jar order.
 */
public final class BackendRegistry {

    /** Names are what administrators type: lower case words joined by dashes. */
    static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** The word that turns an optional concern off; no backend may take it. */
    public static final String NONE = "none";

    private final SortedMap<String, TrellisBackend> byName;

    private BackendRegistry(SortedMap<String, TrellisBackend> byName) {
        this.byName = byName;
    }

    /** Loads every {@link TrellisBackend} visible to {@code classLoader}. */
    public static BackendRegistry discover(ClassLoader classLoader) {
        requireNonNull(classLoader, "classLoader");
        List<TrellisBackend> found = new ArrayList<>();
        try {
            ServiceLoader.load(TrellisBackend.class, classLoader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new BackendDiscoveryException("cannot load the backends listed in META-INF/services/"
                    + TrellisBackend.class.getName() + ": " + e.getMessage(), e);
        }
        return of(found);
    }

    /** A registry of exactly these backends; checks names as {@link #discover} does. */
    public static BackendRegistry of(List<? extends TrellisBackend> backends) {
        SortedMap<String, TrellisBackend> byName = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (TrellisBackend backend : backends) {
            String name = backend.name();
            String type = backend.getClass().getName();
            if (name == null || !NAME.matcher(name).matches()) {
                problems.add("backend " + type + " has an invalid name '" + name
                        + "' (lower case letters, digits and inner dashes, at most 63 characters)");
            } else if (name.equals(NONE)) {
                problems.add("backend " + type + " is named '" + NONE + "', which means 'no backend' in the configuration");
            } else if (byName.containsKey(name)) {
                problems.add("two backends are named '" + name + "': " + byName.get(name).getClass().getName()
                        + " and " + type);
            } else {
                byName.put(name, backend);
            }
        }
        if (!problems.isEmpty()) {
            throw new BackendDiscoveryException(String.join("; ", problems));
        }
        return new BackendRegistry(Collections.unmodifiableSortedMap(byName));
    }

    public Optional<TrellisBackend> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names, sorted (as listed in error messages). */
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(byName.keySet()));
    }

    public Map<String, TrellisBackend> asMap() {
        return byName;
    }

    /** The concerns {@code backend} provides, in declaration order, by config key. */
    public static List<String> concernsOf(TrellisBackend backend) {
        return java.util.Arrays.stream(Concern.values())
                .filter(c -> c.providedBy(backend))
                .map(Concern::configKey)
                .toList();
    }

    @Override
    public String toString() {
        return "BackendRegistry" + byName.keySet();
    }
}
