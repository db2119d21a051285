package io.trellis.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A self-signed P-256 certificate for 127.0.0.1 and localhost, made by openssl at test time (as the controller's tests do). */
record TestTls(Path certificate, Path privateKey) {

    static TestTls generate(Path dir, String name) throws IOException, InterruptedException {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        Process p = new ProcessBuilder(List.of("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
                "-keyout", key.toString(), "-out", cert.toString(), "-subj", "/CN=" + name,
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl req failed: " + output);
        }
        // OpenSSL 3 writes PKCS#8 ("BEGIN PRIVATE KEY") already; older ones the traditional form.
        if (!java.nio.file.Files.readString(key).contains("BEGIN PRIVATE KEY")) {
            Path pk8 = dir.resolve(name + ".pk8");
            Process c = new ProcessBuilder(List.of("openssl", "pkcs8", "-topk8", "-nocrypt", "-in", key.toString(),
                    "-out", pk8.toString())).redirectErrorStream(true).start();
            String out = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!c.waitFor(60, TimeUnit.SECONDS) || c.exitValue() != 0) {
                throw new IOException("openssl pkcs8 failed: " + out);
            }
            return new TestTls(cert, pk8);
        }
        return new TestTls(cert, key);
    }
}
