package org.mailcert.agent.sync;

import static java.nio.charset.StandardCharsets.US_ASCII;

import com.google.protobuf.ByteString;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.proto.v1.RenewRequest;
import org.mailcert.proto.v1.RenewResponse;

/**
 * Renewal of the client certificate, first phase: when to ask (half the certificate's life, ±10%
 * jitter drawn once per certificate), the RenewRequest for a new key, and storing the answer as
 * {@code next.*}. The second phase (promotion after a stream with the new certificate succeeded)
 * is the sync loop's. Not thread-safe.
 */
final class Renewer {
    /** How far the renewal time may move from the middle of the certificate's life, as a fraction of half of it. */
    static final double JITTER = 0.10;

    private final IdentityStore identities;
    private final Clock clock;
    private final DoubleSupplier random;
    private String plannedFor;
    private Instant plannedAt;
    private KeyPair pending;
    private Instant blockedUntil = Instant.MIN;

    Renewer(IdentityStore identities, Clock clock, DoubleSupplier random) {
        this.identities = Objects.requireNonNull(identities, "identities");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** When to ask for a new certificate for this identity. */
    Instant renewAt(Identity identity) {
        String sha = identity.certificateSha256();
        if (!sha.equals(plannedFor)) {
            X509Certificate cert = identity.certificate();
            Instant from = cert.getNotBefore().toInstant();
            Duration half = Duration.between(from, cert.getNotAfter().toInstant()).dividedBy(2);
            double factor = 1 - JITTER + 2 * JITTER * Math.min(1.0, Math.max(0.0, random.getAsDouble()));
            plannedAt = from.plusMillis(Math.round(half.toMillis() * factor));
            plannedFor = sha;
        }
        return plannedAt.isAfter(blockedUntil) ? plannedAt : blockedUntil;
    }

    /** How long from now until {@link #renewAt}; zero when it is due. */
    Duration delay(Identity identity) {
        Duration d = Duration.between(clock.instant(), renewAt(identity));
        return d.isNegative() ? Duration.ZERO : d;
    }

    /** Puts renewal off (after a renewed certificate was refused), so the agent does not loop. */
    void blockFor(Duration duration) {
        blockedUntil = clock.instant().plus(duration);
    }

    /** Makes a new key and the request for it; the key waits for the answer. */
    RenewRequest request(Identity identity) {
        pending = Keys.generate(Keys.KeyType.EC256);
        return RenewRequest.newBuilder()
                .setCsr(ByteString.copyFrom(Csrs.create(pending, identity.host())))
                .build();
    }

    /** Drops the key of an unanswered request (its stream ended). */
    void cancelPending() {
        pending = null;
    }

    /** Whether a request is waiting for its answer. */
    boolean pending() {
        return pending != null;
    }

    /**
     * Checks the answer against the pending key and the controller CA and stores it as {@code next.*}.
     *
     * @return the new certificate
     * @throws IdentityException DAMAGED when the answer is unusable or cannot be stored
     */
    X509Certificate accept(Identity identity, RenewResponse response) throws IdentityException {
        KeyPair key = pending;
        pending = null;
        if (key == null) {
            throw refused("a renewed certificate arrived that the agent did not ask for");
        }
        List<X509Certificate> chain;
        try {
            chain = Pem.readCertificates(response.getCertificatePem().getBytes(US_ASCII));
        } catch (BadMaterialException e) {
            throw refused("the renewed certificate is unusable: " + e.getMessage());
        }
        X509Certificate cert = chain.get(0);
        if (!Keys.matches(key.getPrivate(), cert)) {
            throw refused("the renewed certificate is not for the key the agent sent");
        }
        try {
            cert.verify(identity.ca().getPublicKey());
        } catch (GeneralSecurityException e) {
            throw refused("the renewed certificate (sha256:" + Fingerprints.sha256Hex(cert)
                    + ") is not signed by the controller CA");
        }
        if (clock.instant().isAfter(cert.getNotAfter().toInstant())) {
            throw refused("the renewed certificate expired on " + cert.getNotAfter().toInstant());
        }
        identities.saveNext(key.getPrivate(), List.of(cert));
        return cert;
    }

    private static IdentityException refused(String message) {
        return new IdentityException(IdentityException.Reason.DAMAGED, message);
    }
}
