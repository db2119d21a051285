package io.trellis.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The Trellis release this tool was built as, from {@code version.properties} (filtered by Maven). */
public final class TrellisVersion implements IVersionProvider {

    private static final String RESOURCE = "version.properties";

    /** {@code 0.1.0-SNAPSHOT}: the Maven project version. */
    public static String version() {
        try (InputStream in = TrellisVersion.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path next to "
                        + TrellisVersion.class.getName() + ": a broken build");
            }
            Properties p = new Properties();
            p.load(in);
            String version = p.getProperty("version");
            if (version == null || version.isBlank() || version.contains("${")) {
                throw new IllegalStateException(RESOURCE + " holds no filtered version: '" + version + "'");
            }
            return version;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"trellisctl " + version()};
    }
}
