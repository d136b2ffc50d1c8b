package org.mailcert.agent.target;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.mailcert.common.pki.Pem;

/**
 * One desired binding with its material, checked before it reaches a target: the chain parses, its
 * leaf has the stated SHA-256 and the key belongs to the leaf. The served name is as the controller
 * sent it; a target that turns it into a path or config must validate it itself. Its {@code
 * toString} never shows the key.
 *
 * @param id stable id: {@code server}, {@code mail/<domain>} or {@code webmail/<domain>}
 * @param scope where the certificate is served
 * @param domain the mail domain; empty for {@link Scope#SERVER}
 * @param servedName the name clients connect to
 * @param certificate the controller's certificate name
 * @param certificateVersion the certificate's version
 * @param leafSha256 SHA-256 of the leaf's DER, lower-case hex
 * @param material the leaf's chain and key, shared by the bindings that use them
 */
public record Binding(String id, Scope scope, String domain, String servedName, String certificate,
        int certificateVersion, String leafSha256, KeyMaterial material) {

    /** Refuses nulls. */
    public Binding {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(servedName, "servedName");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(leafSha256, "leafSha256");
        Objects.requireNonNull(material, "material");
    }

    /**
     * A binding with material of its own.
     *
     * @param chain leaf first, then intermediates
     * @param key the leaf's private key
     * @throws IllegalArgumentException if the chain is empty
     */
    public Binding(String id, Scope scope, String domain, String servedName, String certificate,
            int certificateVersion, String leafSha256, List<X509Certificate> chain, PrivateKey key) {
        this(id, scope, domain, servedName, certificate, certificateVersion, leafSha256, new KeyMaterial(chain, key));
    }

    /** Leaf first, then intermediates. */
    public List<X509Certificate> chain() {
        return material.chain();
    }

    /** The leaf's private key. */
    public PrivateKey key() {
        return material.key();
    }

    /** The leaf certificate. */
    public X509Certificate leaf() {
        return material.chain().get(0);
    }

    /** Leaf and intermediates as PEM, leaf first. */
    public String fullChainPem() {
        return material.fullChainPem();
    }

    /** The leaf alone as PEM. */
    public String leafPem() {
        return Pem.certificates(List.of(leaf()));
    }

    /** The intermediates as PEM ("" when the leaf is issued directly by a root). */
    public String intermediatesPem() {
        List<X509Certificate> chain = material.chain();
        return Pem.certificates(chain.subList(1, chain.size()));
    }

    /** The key as unencrypted PKCS#8 PEM: for writing to a 0600 file only, never for logs. */
    public String keyPem() {
        return material.keyPem();
    }

    /** Names the binding and its certificate; never shows the key. */
    @Override
    public String toString() {
        return "Binding[" + id + " " + servedName + " -> " + certificate + " v" + certificateVersion + " sha256 "
                + leafSha256 + "]";
    }
}
