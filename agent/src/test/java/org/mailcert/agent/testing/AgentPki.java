package org.mailcert.agent.testing;

import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.mailcert.agent.identity.AgentSettings;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.CertificateAuthority;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;

/**
 * A controller's PKI for agent tests: the controller CA, its TLS server certificate (localhost,
 * 127.0.0.1, ::1; presented with the CA), agent client certificates as the controller issues them
 * (URI SAN {@code mailcert://host/<fqdn>}), join tokens pinning the CA, and identities on disk.
 */
public final class AgentPki {
    private final TestPki pki;
    private final CertificateAuthority ca;
    private final KeyPair serverKey = Keys.generate(Keys.KeyType.EC256);
    private final X509Certificate server;

    private AgentPki(TestPki pki) {
        this.pki = pki;
        this.ca = pki.authority();
        this.server = authority(Clock.systemUTC()).issueServer(serverKey.getPublic(), List.of("localhost"),
                List.of("127.0.0.1", "::1"), Duration.ofDays(30));
    }

    /** A new controller PKI timed by the system clock. */
    public static AgentPki create() {
        return new AgentPki(TestPki.rootCa("mailcert test controller CA"));
    }

    /** A new controller PKI whose CA issues as if "now" were {@code clock}'s (for aged certificates). */
    public static AgentPki create(Clock clock) {
        return new AgentPki(TestPki.rootCa("mailcert test controller CA", clock));
    }

    /** The CA certificate. */
    public X509Certificate caCertificate() {
        return pki.root();
    }

    /** The CA as PEM. */
    public String caPem() {
        return Pem.certificates(List.of(pki.root()));
    }

    /** The CA issuing with the PKI's clock. */
    public CertificateAuthority authority() {
        return ca;
    }

    /** The CA issuing with the given clock. */
    public CertificateAuthority authority(Clock clock) {
        return new CertificateAuthority(pki.root(), pki.rootKey(), clock);
    }

    /** What the controller's TLS server presents: server certificate then CA, PEM. */
    public String serverChainPem() {
        return Pem.certificates(List.of(server, pki.root()));
    }

    /** The server's key, PKCS#8 PEM. */
    public String serverKeyPem() {
        return Pem.privateKey(serverKey.getPrivate());
    }

    /** A join token pinning this CA. */
    public JoinTokenValue token() {
        return new JoinTokenValue("tok1", "s3cr3tpart", java.util.HexFormat.of().parseHex(
                Fingerprints.sha256Hex(pki.root())));
    }

    /** A client certificate as the controller issues it (7 days unless said otherwise). */
    public X509Certificate client(PublicKey key, String host, Duration validity) {
        return ca.issueClient(key, host, List.of(URI.create("mailcert://host/" + host)), validity);
    }

    /** Stores a freshly issued identity for the host in the data dir and returns it. */
    public Identity enroll(Path dataDir, String host, ControllerAddress controller) throws IdentityException {
        return enroll(dataDir, host, controller, Duration.ofDays(7));
    }

    /** Stores an identity valid for the duration (from the PKI's "now") and returns it. */
    public Identity enroll(Path dataDir, String host, ControllerAddress controller, Duration validity)
            throws IdentityException {
        KeyPair key = Keys.generate(Keys.KeyType.EC256);
        X509Certificate cert = client(key.getPublic(), host, validity);
        IdentityStore store = new IdentityStore(dataDir);
        store.save(new AgentSettings(controller, host, "h-" + host), key.getPrivate(), List.of(cert), pki.root());
        return store.load();
    }

    /** Stores an identity whose certificate is valid exactly between the instants. */
    public Identity enroll(Path dataDir, String host, ControllerAddress controller, Instant from, Instant until)
            throws IdentityException {
        TestPki.Leaf leaf = pki.leaf().commonName(host).validity(from, until).issue();
        IdentityStore store = new IdentityStore(dataDir);
        store.save(new AgentSettings(controller, host, "h-" + host), leaf.key(), List.of(leaf.certificate()),
                pki.root());
        return store.load();
    }
}
