package io.trellis.netlink.ethtool;

import io.trellis.netlink.netns.NamespaceSwitcher;
import io.trellis.netlink.netns.NetNamespace;
import io.trellis.netlink.route.InterfaceName;
import io.trellis.netlink.sys.Syscalls;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import jnr.ffi.Pointer;

/**
 * The SIOCETHTOOL ioctl (linux/ethtool.h) for the few offload settings the data plane needs. The OVS
 * userspace datapath does not complete partial checksums, so a pod's veth end must have TX checksum
 * offload off or its TCP segments leave with bad checksums.
 */
public final class Ethtool {
    public static final long SIOCETHTOOL = 0x8946;
    public static final int ETHTOOL_GTXCSUM = 0x16;
    public static final int ETHTOOL_STXCSUM = 0x17;
    /** sizeof(struct ifreq) on 64-bit Linux: ifr_name[IFNAMSIZ] then a union holding ifr_data. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;
    /** struct ethtool_value { __u32 cmd; __u32 data; }. */
    private static final int ETHTOOL_VALUE_SIZE = 8;

    private final Syscalls sys;
    private final NamespaceSwitcher switcher;

    public Ethtool(Syscalls sys, NamespaceSwitcher switcher) {
        this.sys = Objects.requireNonNull(sys, "sys");
        this.switcher = Objects.requireNonNull(switcher, "switcher");
    }

    /** Whether TX checksum offload is on for {@code ifname} in the calling thread's namespace. */
    public boolean txChecksum(String ifname) {
        return value(ifname, ETHTOOL_GTXCSUM, 0, "ETHTOOL_GTXCSUM") != 0;
    }

    public void setTxChecksum(String ifname, boolean on) {
        value(ifname, ETHTOOL_STXCSUM, on ? 1 : 0, "ETHTOOL_STXCSUM");
    }

    public boolean txChecksum(NetNamespace namespace, String ifname) {
        return switcher.call(namespace, () -> txChecksum(ifname));
    }

    public void setTxChecksum(NetNamespace namespace, String ifname, boolean on) {
        switcher.run(namespace, () -> setTxChecksum(ifname, on));
    }

    /** Issues one ethtool_value command; the ioctl needs any socket of the device's namespace. */
    private int value(String ifname, int cmd, int data, String what) {
        InterfaceName.check(ifname);
        Pointer value = sys.allocate(ETHTOOL_VALUE_SIZE);
        value.putInt(0, cmd);
        value.putInt(4, data);
        Pointer ifreq = sys.allocate(IFREQ_SIZE);
        byte[] name = ifname.getBytes(StandardCharsets.UTF_8);
        ifreq.put(0, name, 0, name.length);
        ifreq.putByte(Math.min(name.length, IFNAMSIZ - 1), (byte) 0);
        ifreq.putAddress(IFNAMSIZ, value.address());
        int fd = sys.socket(Syscalls.AF_INET, Syscalls.SOCK_DGRAM, 0);
        try {
            sys.ioctl(fd, SIOCETHTOOL, ifreq, "SIOCETHTOOL " + what + " " + ifname);
        } finally {
            sys.close(fd);
        }
        return value.getInt(4);
    }
}
