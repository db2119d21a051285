package io.trellis.spi.model;

/** The L4 protocols Kubernetes Services and NetworkPolicies name. */
public enum Protocol {
    TCP(6),
    UDP(17),
    SCTP(132);

    private final int ipProtocolNumber;

    Protocol(int ipProtocolNumber) {
        this.ipProtocolNumber = ipProtocolNumber;
    }

    /** The IANA protocol number carried in the IPv4 protocol / IPv6 next-header field. */
    public int ipProtocolNumber() {
        return ipProtocolNumber;
    }
}
