package io.trellis.ovs.openflow.match;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A connection tracking state match: which of the flag bits must be set ({@code +trk}) or clear
 * ({@code -est}); bits outside {@link #mask()} are ignored. Bit values from OVS
 * {@code include/openvswitch/packets.h} (CS_NEW...CS_DST_NAT).
 */
public record CtState(int flags, int mask) {

    public static final int NEW = 0x01;
    public static final int EST = 0x02;
    public static final int REL = 0x04;
    public static final int RPL = 0x08;
    public static final int INV = 0x10;
    public static final int TRK = 0x20;
    public static final int SNAT = 0x40;
    public static final int DNAT = 0x80;

    /** Flag names in the order OVS prints them. */
    private static final Map<String, Integer> NAMES = names();

    private static Map<String, Integer> names() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("new", NEW);
        m.put("est", EST);
        m.put("rel", REL);
        m.put("rpl", RPL);
        m.put("inv", INV);
        m.put("trk", TRK);
        m.put("snat", SNAT);
        m.put("dnat", DNAT);
        return Map.copyOf(m);
    }

    public CtState {
        if ((flags & ~mask) != 0) {
            throw new IllegalArgumentException(String.format(
                    "ct_state: flags 0x%x set outside the mask 0x%x", flags, mask));
        }
    }

    /** Parses OVS's flag form, e.g. {@code "+trk+new-est"}. */
    public static CtState parse(String text) {
        int flags = 0;
        int mask = 0;
        int i = 0;
        if (text.isEmpty()) {
            throw new IllegalArgumentException("ct_state: empty");
        }
        while (i < text.length()) {
            char sign = text.charAt(i);
            if (sign != '+' && sign != '-') {
                throw new IllegalArgumentException("ct_state: expected '+' or '-' at position " + i + " in '" + text + "'");
            }
            int j = i + 1;
            while (j < text.length() && Character.isLetter(text.charAt(j))) {
                j++;
            }
            String name = text.substring(i + 1, j);
            Integer bit = NAMES.get(name);
            if (bit == null) {
                throw new IllegalArgumentException("ct_state: unknown flag '" + name + "' in '" + text
                        + "' (known: new est rel rpl inv trk snat dnat)");
            }
            if ((mask & bit) != 0) {
                throw new IllegalArgumentException("ct_state: flag '" + name + "' given twice in '" + text + "'");
            }
            mask |= bit;
            if (sign == '+') {
                flags |= bit;
            }
            i = j;
        }
        return new CtState(flags, mask);
    }

    /**
     * OVS's rendering of a masked ct_state: each flag in the mask in bit order, {@code +} if set,
     * {@code -} if clear ({@code +new-est+trk}).
     */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String[] names = {"new", "est", "rel", "rpl", "inv", "trk", "snat", "dnat"};
        for (int i = 0; i < names.length; i++) {
            int bit = 1 << i;
            if ((mask & bit) != 0) {
                sb.append((flags & bit) != 0 ? '+' : '-').append(names[i]);
            }
        }
        return sb.toString();
    }
}
