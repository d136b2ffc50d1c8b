package org.mailcert.agent.identity;

import java.net.InetAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.Fingerprints;

/**
 * Judges the controller's TLS certificate, trusting exactly one CA: in enrollment the certificate
 * in the presented chain whose SHA-256 equals the join token's pin (found before anything is sent,
 * so a token never reaches a server that fails the pin); afterwards the stored {@code ca.pem}. The
 * server's chain must then pass the JDK's PKIX checks with that CA as the only anchor, and its leaf
 * must name the host the agent connects to (DNS names per RFC 6125, or an IP address SAN for an IP
 * literal). Remembers the last failure so the caller can say what went wrong. Thread-safe.
 */
public final class ControllerTrustManager extends X509ExtendedTrustManager {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final byte[] pin;
    private final X509Certificate anchor;
    private final String host;
    private volatile CertificateException failure;
    private volatile boolean pinMismatch;

    private ControllerTrustManager(byte[] pin, X509Certificate anchor, String host) {
        this.pin = pin == null ? null : pin.clone();
        this.anchor = anchor;
        this.host = Objects.requireNonNull(host, "host");
    }

    /** Trusts the CA in the presented chain whose SHA-256 (of its DER) is {@code caSha256}. */
    public static ControllerTrustManager pinned(byte[] caSha256, String host) {
        if (caSha256.length != 32) {
            throw new IllegalArgumentException("a CA pin is a SHA-256 (32 bytes)");
        }
        return new ControllerTrustManager(caSha256, null, host);
    }

    /** Trusts only {@code ca}. */
    public static ControllerTrustManager anchored(X509Certificate ca, String host) {
        return new ControllerTrustManager(null, Objects.requireNonNull(ca, "ca"), host);
    }

    /** The last rejection, if the server was refused. */
    public Optional<CertificateException> failure() {
        return Optional.ofNullable(failure);
    }

    /** Whether the server was refused because no presented certificate matched the pin. */
    public boolean pinMismatch() {
        return pinMismatch;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            check(chain, authType);
        } catch (CertificateException e) {
            failure = e;
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent does not accept TLS clients");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return anchor == null ? new X509Certificate[0] : new X509Certificate[] {anchor};
    }

    private void check(X509Certificate[] chain, String authType) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the controller presented no certificate");
        }
        X509Certificate ca = anchor != null ? anchor : pinnedCa(chain);
        pkix(ca).checkServerTrusted(chain, authType == null || authType.isEmpty() ? "UNKNOWN" : authType);
        if (!namesHost(chain[0], host)) {
            throw new CertificateException("the controller's certificate does not name " + host + " (it names "
                    + String.join(", ", names(chain[0])) + "); connect by one of those names");
        }
    }

    private X509Certificate pinnedCa(X509Certificate[] chain) throws CertificateException {
        List<String> seen = new ArrayList<>();
        for (X509Certificate c : chain) {
            byte[] digest = HexFormat.of().parseHex(Fingerprints.sha256Hex(c));
            if (Arrays.equals(digest, pin)) {
                return c;
            }
            seen.add(c.getSubjectX500Principal().getName() + " sha256:" + Fingerprints.sha256Hex(c));
        }
        pinMismatch = true;
        throw new CertificateException("no certificate the controller presented matches the token's CA pin sha256:"
                + HexFormat.of().formatHex(pin) + " (presented: " + String.join("; ", seen) + ")");
    }

    private static X509TrustManager pkix(X509Certificate ca) throws CertificateException {
        try {
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            anchors.setCertificateEntry("controller-ca", ca);
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(anchors);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new CertificateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new CertificateException("cannot set up trust in the controller CA: " + e.getMessage(), e);
        }
    }

    /** Whether the certificate is valid for the host name or IP literal. */
    static boolean namesHost(X509Certificate leaf, String host) {
        if (isIpLiteral(host)) {
            InetAddress wanted = literal(host);
            if (wanted == null) {
                return false;
            }
            for (String ip : CertificateFacts.of(leaf).ipAddresses()) {
                if (wanted.equals(literal(ip))) {
                    return true;
                }
            }
            return false;
        }
        return CertificateFacts.of(leaf).covers(host);
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || IPV4.matcher(host).matches();
    }

    /** Parses an IP literal without a DNS lookup; null if it is not one. */
    private static InetAddress literal(String ip) {
        if (!isIpLiteral(ip)) {
            return null;
        }
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static List<String> names(X509Certificate leaf) {
        CertificateFacts facts = CertificateFacts.of(leaf);
        List<String> names = new ArrayList<>(facts.names());
        names.addAll(facts.ipAddresses());
        return names;
    }
}
