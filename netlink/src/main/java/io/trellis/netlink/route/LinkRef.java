package io.trellis.netlink.route;

/** Names a link for a request: by interface name or by index. */
public sealed interface LinkRef {
    /** How the link appears in error messages. */
    String describe();

    record ByName(String name) implements LinkRef {
        public ByName {
            InterfaceName.check(name);
        }

        @Override
        public String describe() {
            return name;
        }
    }

    record ByIndex(int index) implements LinkRef {
        public ByIndex {
            if (index <= 0) {
                throw new IllegalArgumentException("interface index must be positive, got " + index);
            }
        }

        @Override
        public String describe() {
            return "ifindex " + index;
        }
    }

    static LinkRef name(String name) {
        return new ByName(name);
    }

    static LinkRef index(int index) {
        return new ByIndex(index);
    }
}
