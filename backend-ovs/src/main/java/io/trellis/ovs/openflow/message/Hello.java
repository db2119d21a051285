package io.trellis.ovs.openflow.message;

import static java.util.Objects.requireNonNull;

import io.trellis.ovs.openflow.OfVersion;
import java.util.Collections;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * OFPT_HELLO (OpenFlow 1.5.1 section 7.5.1). {@code headerVersion} is the highest version the
 * sender speaks; {@code bitmapVersions} lists the wire versions of its OFPHET_VERSIONBITMAP
 * element (empty when it sent none). Hello elements of other types are kept as raw bytes.
 */
public record Hello(int xid, int headerVersion, SortedSet<Integer> bitmapVersions, RawBytes otherElements)
        implements OfMessage {

    public Hello {
        if (headerVersion < 1 || headerVersion > 0xff) {
            throw new IllegalArgumentException("headerVersion must be 1..255, got " + headerVersion);
        }
        requireNonNull(bitmapVersions, "bitmapVersions");
        requireNonNull(otherElements, "otherElements");
        for (int v : bitmapVersions) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException("bitmap version must be 0..255, got " + v);
            }
        }
        bitmapVersions = Collections.unmodifiableSortedSet(new TreeSet<>(bitmapVersions));
    }

    /** The hello we send: header version = highest offered, plus a bitmap of all offered versions. */
    public static Hello offering(int xid, OfVersion... versions) {
        if (versions.length == 0) {
            throw new IllegalArgumentException("offer at least one OpenFlow version");
        }
        TreeSet<Integer> wire = new TreeSet<>();
        for (OfVersion v : versions) {
            wire.add(v.wireVersion());
        }
        return new Hello(xid, wire.last(), wire, RawBytes.EMPTY);
    }

    /** Whether the peer speaks wire version {@code version} (section 7.5.1: bitmap, else header version). */
    public boolean supports(int version) {
        return bitmapVersions.isEmpty() ? version <= headerVersion : bitmapVersions.contains(version);
    }

    /**
     * The highest version both we ({@code ours}) and this peer speak. Without a bitmap the
     * negotiated version is min(our highest, peer header), which must be one we speak.
     */
    public Optional<OfVersion> negotiate(OfVersion... ours) {
        OfVersion best = null;
        for (OfVersion v : ours) {
            if (supports(v.wireVersion()) && (best == null || v.wireVersion() > best.wireVersion())) {
                best = v;
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public Hello withXid(int xid) {
        return new Hello(xid, headerVersion, bitmapVersions, otherElements);
    }
}
