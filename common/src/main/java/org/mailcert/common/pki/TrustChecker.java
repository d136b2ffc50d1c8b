package org.mailcert.common.pki;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.mailcert.common.names.DnsNames;

/**
 * Decides whether a certificate chain is trusted at an instant: PKIX path validation against the
 * JDK's default roots plus any extra roots, with revocation checking off. Immutable and
 * thread-safe.
 */
public final class TrustChecker {
    private final Set<TrustAnchor> anchors;
    private final Set<String> anchorFingerprints;

    /** Creates a checker trusting the JDK's default roots ({@code cacerts}) and the extra ones. */
    public TrustChecker(Collection<X509Certificate> extraRoots) {
        Set<TrustAnchor> all = new HashSet<>();
        Set<String> fingerprints = new HashSet<>();
        List<X509Certificate> roots = new ArrayList<>(jdkRoots());
        roots.addAll(extraRoots);
        for (X509Certificate root : roots) {
            if (fingerprints.add(Fingerprints.sha256Hex(root))) {
                all.add(new TrustAnchor(root, null));
            }
        }
        this.anchors = Set.copyOf(all);
        this.anchorFingerprints = Set.copyOf(fingerprints);
    }

    /** Creates a checker that trusts only the JDK's default roots. */
    public static TrustChecker withJdkRoots() {
        return new TrustChecker(List.of());
    }

    /**
     * Checks the chain (in any order, duplicates allowed) at the instant; the chain may include or
     * omit its root.
     */
    public TrustResult check(List<X509Certificate> chain, Instant at) {
        List<X509Certificate> ordered;
        try {
            ordered = Chains.order(chain);
        } catch (BadMaterialException e) {
            return TrustResult.untrusted(e.getMessage());
        }
        X509Certificate leaf = ordered.get(0);
        List<X509Certificate> path = new ArrayList<>(ordered);
        X509Certificate top = path.get(path.size() - 1);
        if (path.size() > 1 && isSelfIssued(top)) {
            path.remove(path.size() - 1);
        }
        for (int i = 0; i < path.size(); i++) {
            String validity = validity(path.get(i), i == 0, at);
            if (validity != null) {
                return TrustResult.untrusted(validity);
            }
        }
        if (path.size() == 1 && isSelfIssued(leaf)) {
            return anchorFingerprints.contains(Fingerprints.sha256Hex(leaf))
                    ? TrustResult.ok()
                    : TrustResult.untrusted("self-signed");
        }
        return validate(path, at);
    }

    private TrustResult validate(List<X509Certificate> path, Instant at) {
        if (anchors.isEmpty()) {
            return TrustResult.untrusted("no trusted roots are configured");
        }
        CertPath certPath;
        PKIXParameters params;
        CertPathValidator validator;
        try {
            certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
            params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(at));
            validator = CertPathValidator.getInstance("PKIX");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's PKIX validator is unavailable", e);
        }
        try {
            validator.validate(certPath, params);
            return TrustResult.ok();
        } catch (CertPathValidatorException e) {
            return TrustResult.untrusted(problem(e, path));
        } catch (GeneralSecurityException e) {
            return TrustResult.untrusted("cannot be validated: " + e.getMessage());
        }
    }

    private static String problem(CertPathValidatorException e, List<X509Certificate> path) {
        int index = e.getIndex();
        X509Certificate cert = index >= 0 && index < path.size() ? path.get(index) : null;
        String who = cert == null || index == 0 ? ""
                : "intermediate " + Subjects.describe(cert) + " ";
        if (e.getReason() == BasicReason.EXPIRED && cert != null) {
            return who + "expired on " + date(cert.getNotAfter().toInstant());
        }
        if (e.getReason() == BasicReason.NOT_YET_VALID && cert != null) {
            return who + "not valid before " + date(cert.getNotBefore().toInstant());
        }
        if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
            return "does not chain to a trusted root (issuer "
                    + Subjects.issuer(path.get(path.size() - 1)) + ")";
        }
        if (e.getReason() == BasicReason.INVALID_SIGNATURE && cert != null) {
            return "the signature of " + Subjects.describe(cert) + " does not verify";
        }
        if (e.getReason() == BasicReason.ALGORITHM_CONSTRAINED) {
            return who + "uses an algorithm or key size that is no longer accepted";
        }
        if (e.getReason() == PKIXReason.NOT_CA_CERT || e.getReason() == PKIXReason.INVALID_KEY_USAGE
                || e.getReason() == PKIXReason.PATH_TOO_LONG) {
            return "an issuing certificate may not issue certificates (" + e.getReason() + ")";
        }
        return "does not validate: " + DnsNames.displaySafe(String.valueOf(e.getMessage()));
    }

    private static String validity(X509Certificate cert, boolean leaf, Instant at) {
        String who = leaf ? "" : "intermediate " + Subjects.describe(cert) + " ";
        if (at.isAfter(cert.getNotAfter().toInstant())) {
            return who + "expired on " + date(cert.getNotAfter().toInstant());
        }
        if (at.isBefore(cert.getNotBefore().toInstant())) {
            return who + "not valid before " + date(cert.getNotBefore().toInstant());
        }
        return null;
    }

    private static boolean isSelfIssued(X509Certificate cert) {
        return Chains.issued(cert, cert);
    }

    private static String date(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    }

    private static List<X509Certificate> jdkRoots() {
        try {
            TrustManagerFactory factory =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            List<X509Certificate> roots = new ArrayList<>();
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager) {
                    roots.addAll(List.of(((X509TrustManager) manager).getAcceptedIssuers()));
                }
            }
            return roots;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's default trust store cannot be read", e);
        }
    }
}
