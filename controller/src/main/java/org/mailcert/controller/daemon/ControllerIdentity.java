package org.mailcert.controller.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.CertificateAuthority;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller's own PKI: its CA (which agents pin and the CLI trusts) and its TLS server
 * certificate. Certificates are plain files in the data dir; both keys are sealed in the store.
 */
final class ControllerIdentity {
    private static final Logger log = LoggerFactory.getLogger(ControllerIdentity.class);
    static final String CA_KEY = "ca";
    static final String SERVER_KEY = "server-tls";
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration SERVER_VALIDITY = Duration.ofDays(365);
    private static final Duration SERVER_RENEW_BEFORE = Duration.ofDays(30);

    private final CertificateAuthority ca;
    private final X509Certificate serverCertificate;
    private final PrivateKey serverKey;

    private ControllerIdentity(CertificateAuthority ca, X509Certificate serverCertificate, PrivateKey serverKey) {
        this.ca = ca;
        this.serverCertificate = serverCertificate;
        this.serverKey = serverKey;
    }

    /**
     * Loads the CA and server certificate, creating them at first start and re-issuing the server
     * certificate when its names change or it nears expiry.
     */
    static ControllerIdentity loadOrCreate(Store store, DataDir dir, List<String> dnsNames, List<String> ips, Clock clock)
            throws ControllerException, IOException {
        CertificateAuthority ca = loadOrCreateCa(store, dir, clock);
        Optional<PrivateKey> key = store.controllerKey(SERVER_KEY);
        if (key.isPresent() && Files.exists(dir.serverPem())) {
            X509Certificate cert = readOne(dir.serverPem());
            if (Keys.matches(key.get(), cert) && upToDate(cert, dnsNames, ips, clock) && issuedBy(cert, ca)) {
                return new ControllerIdentity(ca, cert, key.get());
            }
            log.info("re-issuing the controller's server certificate (names, issuer or expiry changed)");
        }
        KeyPair pair = Keys.generate(Keys.KeyType.EC256);
        X509Certificate cert = ca.issueServer(pair.getPublic(), dnsNames, ips, SERVER_VALIDITY);
        // Key first: a crash before the certificate is written is noticed (mismatch) and repaired.
        store.write(tx -> {
            tx.putControllerKey(SERVER_KEY, pair.getPrivate());
            tx.appendEvent(Event.draft("controller", "controller.server-certificate", "", "server.pem",
                    "issued the controller's TLS certificate for " + String.join(", ", dnsNames)));
            return null;
        });
        AtomicFiles.write(dir.serverPem(), Pem.certificates(List.of(cert)).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.PUBLIC_READ);
        return new ControllerIdentity(ca, cert, pair.getPrivate());
    }

    private static CertificateAuthority loadOrCreateCa(Store store, DataDir dir, Clock clock)
            throws ControllerException, IOException {
        Optional<PrivateKey> key = store.controllerKey(CA_KEY);
        if (key.isPresent()) {
            if (!Files.exists(dir.caPem())) {
                throw ControllerException.internal(dir.caPem() + " is missing but the store holds the CA key;"
                        + " restore ca.pem from a backup (agents pin it)", null);
            }
            X509Certificate cert = readOne(dir.caPem());
            if (!Keys.matches(key.get(), cert)) {
                throw ControllerException.internal(dir.caPem() + " does not belong to this store's CA key;"
                        + " restore the matching ca.pem", null);
            }
            return new CertificateAuthority(cert, key.get(), clock);
        }
        CertificateAuthority ca = CertificateAuthority.create("mailcert controller CA", CA_VALIDITY, clock);
        AtomicFiles.write(dir.caPem(), Pem.certificates(List.of(ca.certificate())).getBytes(StandardCharsets.US_ASCII),
                AtomicFiles.PUBLIC_READ);
        store.write(tx -> {
            tx.putControllerKey(CA_KEY, ca.key());
            tx.appendEvent(Event.draft("controller", "controller.ca-created", "", "ca.pem",
                    "created the controller CA, sha256 " + org.mailcert.common.pki.Fingerprints.sha256Hex(ca.certificate())));
            return null;
        });
        return ca;
    }

    private static boolean upToDate(X509Certificate cert, List<String> dnsNames, List<String> ips, Clock clock) {
        CertificateFacts f = CertificateFacts.of(cert);
        boolean namesSame = new HashSet<>(f.dnsNames()).equals(new HashSet<>(dnsNames))
                && new HashSet<>(f.ipAddresses()).equals(new HashSet<>(ips));
        return namesSame && f.notAfter().isAfter(clock.instant().plus(SERVER_RENEW_BEFORE));
    }

    private static boolean issuedBy(X509Certificate cert, CertificateAuthority ca) {
        try {
            cert.verify(ca.certificate().getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static X509Certificate readOne(java.nio.file.Path file) throws ControllerException, IOException {
        try {
            List<X509Certificate> certs = Pem.readCertificates(Files.readAllBytes(file));
            if (certs.isEmpty()) {
                throw ControllerException.internal(file + " holds no certificate", null);
            }
            return certs.get(0);
        } catch (BadMaterialException e) {
            throw ControllerException.internal(file + " is unreadable: " + e.getMessage(), e);
        }
    }

    CertificateAuthority ca() {
        return ca;
    }

    /** SHA-256 of the CA certificate's DER encoding: the pin carried in join tokens. */
    byte[] caSha256() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(ca.certificate().getEncoded());
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The CA certificate, PEM: the trust anchor for agents' client certificates. */
    byte[] caPem() {
        return Pem.certificates(List.of(ca.certificate())).getBytes(StandardCharsets.US_ASCII);
    }

    /** Server certificate then CA, PEM: what the TLS server presents. */
    byte[] serverChainPem() {
        List<X509Certificate> chain = new ArrayList<>(List.of(serverCertificate, ca.certificate()));
        return Pem.certificates(chain).getBytes(StandardCharsets.US_ASCII);
    }

    /** The server key as PKCS#8 PEM, for the TLS stack only (in memory, never written). */
    byte[] serverKeyPem() {
        return Pem.privateKey(serverKey).getBytes(StandardCharsets.US_ASCII);
    }
}
