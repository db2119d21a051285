package io.trellis.bench;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A pod as the benchmark reaches it: its network namespace, the IPv4 address and the MTU of its {@code eth0}. */
record PodEndpoint(String netns, String ip, int mtu) {
    static final String INTERFACE = "eth0";
    private static final Pattern INET = Pattern.compile("\\binet (\\d{1,3}(?:\\.\\d{1,3}){3})/\\d{1,2}\\b");
    private static final Pattern MTU = Pattern.compile("\\bmtu (\\d+)\\b");
    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(20);

    PodEndpoint {
        requireNonNull(netns, "netns");
        requireNonNull(ip, "ip");
        if (mtu < 68) {
            throw new IllegalArgumentException(netns + ": MTU " + mtu + " below IPv4's minimum of 68");
        }
    }

    /** Reads the address and MTU of {@code eth0} inside {@code netns}. */
    static PodEndpoint read(String netns) {
        String addr = HostCommand.capture(List.of("ip", "-n", netns, "-o", "-4", "addr", "show", "dev", INTERFACE),
                QUERY_TIMEOUT).check().stdout();
        String link = HostCommand.capture(List.of("ip", "-n", netns, "-o", "link", "show", "dev", INTERFACE),
                QUERY_TIMEOUT).check().stdout();
        return new PodEndpoint(netns, ipv4Of(netns, addr), mtuOf(netns, link));
    }

    /** The first IPv4 address in {@code ip -o -4 addr show} output. */
    static String ipv4Of(String netns, String ipAddrOutput) {
        Matcher m = INET.matcher(ipAddrOutput);
        if (!m.find()) {
            throw new IllegalStateException(netns + ": no IPv4 address on " + INTERFACE + " in '" + ipAddrOutput.strip()
                    + "'");
        }
        return m.group(1);
    }

    /** The MTU in {@code ip -o link show} output. */
    static int mtuOf(String netns, String ipLinkOutput) {
        Matcher m = MTU.matcher(ipLinkOutput);
        if (!m.find()) {
            throw new IllegalStateException(netns + ": no MTU for " + INTERFACE + " in '" + ipLinkOutput.strip() + "'");
        }
        return Integer.parseInt(m.group(1));
    }
}
