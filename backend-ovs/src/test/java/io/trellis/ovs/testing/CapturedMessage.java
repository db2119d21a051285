package io.trellis.ovs.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * One OpenFlow message recorded between ovs-ofctl and a real ovs-vswitchd, loaded from
 * {@code src/test/resources/openflow/captures/<name>.txt} (format: see the README there).
 *
 * @param ofpPrint what {@code ovs-ofctl ofp-print} made of the bytes (lines joined by " \n ")
 */
public record CapturedMessage(String name, String command, Direction direction, String ofpPrint, byte[] bytes) {

    public enum Direction { TO_SWITCH, FROM_SWITCH }

    public CapturedMessage {
        requireNonNull(name, "name");
        requireNonNull(command, "command");
        requireNonNull(direction, "direction");
        requireNonNull(ofpPrint, "ofpPrint");
        bytes = requireNonNull(bytes, "bytes").clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** Loads e.g. {@code load("flowmod-add-rich-1")}; fails clearly when the file is missing or malformed. */
    public static CapturedMessage load(String name) {
        String resource = "/openflow/captures/" + name + ".txt";
        String text;
        try (InputStream in = CapturedMessage.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no capture fixture " + resource);
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        String command = null;
        String direction = null;
        String print = null;
        String hex = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# command: ")) {
                command = line.substring("# command: ".length());
            } else if (line.startsWith("# direction: ")) {
                direction = line.substring("# direction: ".length()).strip();
            } else if (line.startsWith("# ofp-print: ")) {
                print = line.substring("# ofp-print: ".length());
            } else if (!line.startsWith("#") && !line.isBlank()) {
                if (hex != null) {
                    throw new IllegalArgumentException(resource + ": more than one hex line");
                }
                hex = line.strip();
            }
        }
        if (command == null || direction == null || print == null || hex == null) {
            throw new IllegalArgumentException(resource + ": missing command, direction, ofp-print or hex line");
        }
        Direction dir = switch (direction) {
            case "to-switch" -> Direction.TO_SWITCH;
            case "from-switch" -> Direction.FROM_SWITCH;
            default -> throw new IllegalArgumentException(resource + ": direction " + direction);
        };
        byte[] bytes = HexFormat.of().parseHex(hex);
        int declared = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (declared != bytes.length) {
            throw new IllegalArgumentException(resource + ": ofp_header.length " + declared + " but " + bytes.length + " bytes");
        }
        return new CapturedMessage(name, command, dir, print, bytes);
    }

    /** The ofp_header.xid as captured. */
    public long xid() {
        return ((bytes[4] & 0xffL) << 24) | ((bytes[5] & 0xffL) << 16) | ((bytes[6] & 0xffL) << 8) | (bytes[7] & 0xffL);
    }

    @Override
    public String toString() {
        return "CapturedMessage[" + name + " " + direction + " " + bytes.length + " bytes: " + ofpPrint + "]";
    }
}
