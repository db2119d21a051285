package io.trellis.lab;

/**
 * The {@link ServicesSuite} with the ovs backend (the default): the agents' OVS Service proxy (select groups and
 * {@code ct(nat)} in br-int).
 */
class LabServicesTest extends ServicesSuite {
    @Override
    protected String backend() {
        return "ovs";
    }
}
