package org.mailcert.agent.target;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import org.mailcert.common.pki.Pem;

/**
 * A leaf's chain and key, with their PEM encodings made once: every apply writes or compares the
 * files of every binding, and encoding thousands of keys and chains again on each one-domain change
 * cost the agent about a second at 3,000 domains. Held by each {@link Binding} that uses it (the
 * agent's material cache hands the same instance to every apply while the material is held). The
 * encodings come from the parsed chain and key themselves, so they always agree with them.
 * Thread-safe. Its {@code toString} never shows the key.
 */
public final class KeyMaterial {
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private volatile String keyPem;
    private volatile String fullChainPem;

    /**
     * @param chain leaf first, then intermediates
     * @param key the leaf's private key
     * @throws IllegalArgumentException if the chain is empty
     */
    public KeyMaterial(List<X509Certificate> chain, PrivateKey key) {
        this.chain = List.copyOf(chain);
        this.key = Objects.requireNonNull(key, "key");
        if (this.chain.isEmpty()) {
            throw new IllegalArgumentException("empty chain");
        }
    }

    /** Leaf first, then intermediates. */
    public List<X509Certificate> chain() {
        return chain;
    }

    /** The leaf's private key. */
    public PrivateKey key() {
        return key;
    }

    /** The key as unencrypted PKCS#8 PEM: for writing to a 0600 file only, never for logs. */
    public String keyPem() {
        String pem = keyPem;
        if (pem == null) {
            pem = Pem.privateKey(key);
            keyPem = pem;
        }
        return pem;
    }

    /** Leaf and intermediates as PEM, leaf first. */
    public String fullChainPem() {
        String pem = fullChainPem;
        if (pem == null) {
            pem = Pem.certificates(chain);
            fullChainPem = pem;
        }
        return pem;
    }

    /** Same chain and key; the encodings are derived from them. */
    @Override
    public boolean equals(Object o) {
        return o instanceof KeyMaterial m && chain.equals(m.chain) && key.equals(m.key);
    }

    @Override
    public int hashCode() {
        return chain.hashCode();
    }

    /** Names the leaf; never shows the key. */
    @Override
    public String toString() {
        return "KeyMaterial[" + chain.get(0).getSubjectX500Principal().getName() + ", " + chain.size()
                + " certificate(s)]";
    }
}
