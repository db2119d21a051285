package io.trellis.bench;

/**
 * A two-node pod network to measure: {@link #start()} brings it up and names a pod on each node;
 * {@link #close()} tears down everything it created, also after a failed or interrupted start, and may
 * be called more than once. Created first and registered for teardown, then started, so that an
 * interrupted start is still cleaned up.
 */
sealed interface TwoNodePods extends AutoCloseable permits TrellisLabPods, RecipePods, KernelVxlanPods {
    /** Short name used in the report ("trellis-ovs", "recipe-ovs", ...). */
    String name();

    PodPair start();

    @Override
    void close();
}
