package io.trellis.agent.testing;

import io.trellis.spi.TrellisBackend;
import io.trellis.spi.pod.PodInterfaceDriverFactory;
import java.util.Optional;

/**
 * A pod interface backend named {@code fake-pods} for end-to-end tests without root: its driver is
 * a {@link FakePodInterfaces}. Not in META-INF/services: tests hand it to the agent explicitly.
 */
public final class FakePodsBackend implements TrellisBackend {
    private final FakePodInterfaces driver = new FakePodInterfaces();

    @Override
    public String name() {
        return "fake-pods";
    }

    @Override
    public Optional<PodInterfaceDriverFactory> podInterface() {
        return Optional.of(context -> driver);
    }

    public FakePodInterfaces driver() {
        return driver;
    }
}
