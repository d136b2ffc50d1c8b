package org.mailcert.controller.model;

import java.security.KeyPair;
import java.util.Optional;

/**
 * The secrets of an {@link Issuer}: sealed with the master key in the store, never logged, never
 * returned by the API. {@link #toString()} names none of them.
 *
 * @param accountKey the ACME account key (EC P-256, made when the issuer is added)
 * @param eabHmac the External Account Binding HMAC key, for CAs that need EAB
 * @param tsigSecret the TSIG secret of an RFC 2136 solver
 */
public record IssuerSecrets(KeyPair accountKey, Optional<byte[]> eabHmac, Optional<byte[]> tsigSecret) {
    @Override
    public String toString() {
        return "IssuerSecrets[account key " + accountKey.getPublic().getAlgorithm()
                + (eabHmac.isPresent() ? ", EAB key" : "") + (tsigSecret.isPresent() ? ", TSIG secret" : "") + "]";
    }
}
