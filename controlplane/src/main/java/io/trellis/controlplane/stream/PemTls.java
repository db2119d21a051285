package io.trellis.controlplane.stream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts from PEM files, with the JDK alone: X.509 certificates through
 * {@link CertificateFactory}, the private key as PKCS#8 (RFC 5208, {@code BEGIN PRIVATE KEY}) through
 * {@link KeyFactory}. Every failure names the file.
 */
public final class PemTls {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private PemTls() {
    }

    /** A client context that trusts only the certificates in {@code caFile} (PKIX path validation). */
    public static SSLContext trusting(Path caFile) {
        List<X509Certificate> cas = certificates(caFile);
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                trust.setCertificateEntry("ca-" + i, cas.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot build a TLS trust store from " + caFile + ": " + e, e);
        }
    }

    /** A server context presenting the chain in {@code certificateFile} (leaf first) with its key. */
    public static SSLContext server(Path certificateFile, Path privateKeyFile) {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(privateKeyFile, chain.get(0).getPublicKey().getAlgorithm());
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
            keys.load(null, null);
            keys.setKeyEntry("server", key, password, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot use the key " + privateKeyFile + " with the certificate "
                    + certificateFile + ": " + e, e);
        }
    }

    /** Every certificate in a PEM file, in file order; at least one. */
    public static List<X509Certificate> certificates(Path file) {
        byte[] bytes = read(file, "certificate");
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            Collection<? extends Certificate> parsed = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : parsed) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no PEM certificate (BEGIN CERTIFICATE)");
            }
            return out;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(file + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    /** The PKCS#8 private key in a PEM file, of {@code algorithm} (that of the certificate's public key). */
    public static PrivateKey privateKey(Path file, String algorithm) {
        String text = new String(read(file, "private key"), StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            String hint = text.contains("BEGIN EC PRIVATE KEY") || text.contains("BEGIN RSA PRIVATE KEY")
                    ? " (it holds a traditional OpenSSL key; convert it: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY8)"
                    : text.contains("BEGIN ENCRYPTED PRIVATE KEY") ? " (it is encrypted; an unencrypted key is needed)" : "";
            throw new IllegalArgumentException(file + " holds no PKCS#8 private key (" + KEY_BEGIN + ")" + hint);
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the private key is not valid base64: " + e.getMessage(), e);
        }
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(file + " is not a PKCS#8 " + algorithm
                    + " private key (the certificate's key algorithm): " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the " + what + " file " + file + ": " + e, e);
        }
    }
}
