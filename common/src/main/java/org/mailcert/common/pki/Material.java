package org.mailcert.common.pki;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Certificates and an optional private key as read from one file, in file order (use {@link
 * Chains#order} to put the chain in order). Its {@code toString} never shows the key.
 *
 * @param chain the certificates in the order the file holds them; never empty when read by {@link
 *     MaterialReader}
 * @param key the private key, if the file holds one
 */
public record Material(List<X509Certificate> chain, Optional<PrivateKey> key) {
    /** Copies the list and refuses nulls. */
    public Material {
        chain = List.copyOf(chain);
        Objects.requireNonNull(key, "key");
    }

    /** Describes the material without the key: certificate count, first subject, key or not. */
    @Override
    public String toString() {
        return "Material[" + chain.size() + " certificate(s)"
                + (chain.isEmpty() ? "" : ", first " + Subjects.describe(chain.get(0)))
                + ", key " + key.map(k -> k.getAlgorithm() + " present").orElse("absent") + "]";
    }
}
