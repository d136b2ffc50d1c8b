package org.mailcert.agent.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.mailcert.common.pki.Fingerprints;

/**
 * The agent's credentials for the Sync stream: its key and client certificate, the controller CA it
 * trusts, and where and as whom it connects. Immutable; its {@code toString} never shows the key.
 *
 * @param settings controller address and host name
 * @param key the client key; never leaves the host
 * @param chain the client certificate first (then any intermediates)
 * @param ca the controller CA, the only certificate trusted for the controller
 */
public record Identity(AgentSettings settings, PrivateKey key, List<X509Certificate> chain, X509Certificate ca) {
    /** Copies the chain and refuses nulls and an empty chain. */
    public Identity {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(key, "key");
        chain = List.copyOf(chain);
        Objects.requireNonNull(ca, "ca");
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("an identity needs a certificate");
        }
    }

    /** The host's FQDN. */
    public String host() {
        return settings.host();
    }

    /** The client certificate. */
    public X509Certificate certificate() {
        return chain.get(0);
    }

    /** When the client certificate stops being valid. */
    public Instant notAfter() {
        return certificate().getNotAfter().toInstant();
    }

    /** Whether the client certificate has expired at the instant. */
    public boolean expiredAt(Instant at) {
        return at.isAfter(notAfter());
    }

    /**
     * Refuses an expired identity with the message that says what to do.
     *
     * @throws IdentityException EXPIRED
     */
    public void requireUnexpired(Instant at) throws IdentityException {
        if (expiredAt(at)) {
            throw new IdentityException(IdentityException.Reason.EXPIRED, "identity expired on " + notAfter()
                    + "; create a new token with `mailcert token create --host " + host()
                    + "` and run `mailcert-agent enroll` again");
        }
    }

    /** SHA-256 of the client certificate, for log lines. */
    public String certificateSha256() {
        return Fingerprints.sha256Hex(certificate());
    }

    /** Names the host and the certificate; never shows the key. */
    @Override
    public String toString() {
        return "Identity[" + host() + ", certificate sha256 " + certificateSha256() + ", until " + notAfter() + "]";
    }
}
