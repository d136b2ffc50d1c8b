package org.mailcert.agent.target;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;

/**
 * The key-and-chain pairs this agent process has proven: the leaf is the one named, the key belongs
 * to it, the chain is in order by its names (signatures and trust are the controller's check at
 * import). The agent proves each material once when it arrives ({@code
 * MaterialCache}); a target writing a binding's files asks here instead of signing and verifying
 * again. At 5,000 bindings with two mail targets, proving each pair three times was 75 % of the
 * agent's CPU in a full apply. A pair not proven yet (a binding made some other way) is proven on
 * first use. Keyed by the SHA-256 of the key's and chain's PEM, bounded, process-wide. Thread-safe.
 */
public final class ProvenMaterial {
    private static final int MAX = 50_000;
    private static final Map<String, Boolean> PROVEN = new LinkedHashMap<>(1024, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX;
        }
    };

    private ProvenMaterial() {
    }

    /** Records that the caller has proven the binding's material (as {@link #problem} would). */
    public static void remember(Binding b) {
        String d = digest(b);
        synchronized (PROVEN) {
            PROVEN.put(d, Boolean.TRUE);
        }
    }

    /**
     * Why the binding's material is unusable, or empty if it is proven (now or before): the chain
     * starts with the leaf named by its SHA-256, the key belongs to that leaf, the chain is in order.
     */
    public static Optional<String> problem(Binding b) {
        String d = digest(b);
        synchronized (PROVEN) {
            if (PROVEN.containsKey(d)) {
                return Optional.empty();
            }
        }
        if (!Fingerprints.sha256Hex(b.leaf()).equals(b.leafSha256())) {
            return Optional.of("the chain does not start with the leaf sha256:" + b.leafSha256());
        }
        if (!Keys.matches(b.key(), b.leaf())) {
            return Optional.of("the key does not match the certificate " + b.leaf().getSubjectX500Principal().getName());
        }
        if (!Chains.inIssuerOrder(b.chain())) {
            return Optional.of("the chain is not in order (leaf first, then its issuers)");
        }
        synchronized (PROVEN) {
            PROVEN.put(d, Boolean.TRUE);
        }
        return Optional.empty();
    }

    private static String digest(Binding b) {
        return b.leafSha256() + ":" + Fingerprints.sha256Hex((b.keyPem() + b.fullChainPem()).getBytes(US_ASCII));
    }
}
