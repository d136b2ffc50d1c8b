package org.mailcert.agent.sync;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.KeyMaterial;
import org.mailcert.agent.target.ProvenMaterial;
import org.mailcert.agent.target.Scope;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.common.pki.Pem;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.Material;

/**
 * The chains and keys the agent holds during one stream: those of the applied state plus every
 * material the controller sent on the stream (the controller sends each once per stream, even if a
 * state using it was refused). Each material is checked once, and this is the agent's proof of it
 * that the targets rely on: the chain parses, its leaf has the SHA-256 it is filed under, the key
 * belongs to the leaf and the chain is in order. Not thread-safe.
 */
final class MaterialCache {
    /** A checked material: its parsed chain and key, or why it is unusable. */
    private record Checked(KeyMaterial material, String problem) {
    }

    /**
     * Bindings resolved for the targets.
     *
     * @param bindings the bindings with their material, in id order
     * @param used leaf SHA-256 to material, for exactly the leaves the bindings use
     * @param errors binding id to why it cannot be applied
     */
    record Resolution(List<Binding> bindings, Map<String, Material> used, Map<String, String> errors) {
    }

    private final Map<String, Material> materials = new HashMap<>();
    private final Map<String, Checked> checked = new HashMap<>();
    /** Leaves whose proof the targets have been told of ({@link ProvenMaterial}). */
    private final Set<String> told = new HashSet<>();

    MaterialCache(Map<String, Material> held) {
        materials.putAll(held);
    }

    /** Adds materials the controller sent; a new one for a known SHA-256 replaces the old. */
    void addAll(Collection<Material> received) {
        for (Material m : received) {
            String sha = m.getLeafSha256().toLowerCase(Locale.ROOT);
            materials.put(sha, m);
            checked.remove(sha);
            told.remove(sha);
        }
    }

    /** Resolves every binding to its checked material, collecting per-binding errors. */
    Resolution resolve(Collection<DesiredBinding> desired) {
        checkNew(desired);
        List<Binding> bindings = new ArrayList<>();
        Map<String, Material> used = new TreeMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (DesiredBinding b : desired) {
            String sha = b.getLeafSha256().toLowerCase(Locale.ROOT);
            Scope scope = scope(b);
            if (scope == null) {
                errors.put(b.getId(), "unknown scope " + b.getScope());
                continue;
            }
            Material m = materials.get(sha);
            if (m == null) {
                errors.put(b.getId(), "no material for leaf sha256:" + sha
                        + " (the controller did not send it and the agent does not hold it)");
                continue;
            }
            Checked c = checked.computeIfAbsent(sha, s -> check(s, m));
            if (c.problem() != null) {
                errors.put(b.getId(), c.problem());
                continue;
            }
            Binding binding = new Binding(b.getId(), scope, b.getDomain(), b.getServedName(), b.getCertificate(),
                    b.getCertificateVersion(), sha, c.material());
            if (told.add(sha)) {
                ProvenMaterial.remember(binding);
            }
            bindings.add(binding);
            used.put(sha, m);
        }
        return new Resolution(bindings, used, errors);
    }

    /**
     * Checks the materials of {@code desired} not checked yet, on all cores: a key match is a
     * signature and its verification, about 1 ms each, so a first state of 5,000 certificates took
     * seconds on one core.
     */
    private void checkNew(Collection<DesiredBinding> desired) {
        Map<String, Material> unchecked = new HashMap<>();
        for (DesiredBinding b : desired) {
            String sha = b.getLeafSha256().toLowerCase(Locale.ROOT);
            Material m = materials.get(sha);
            if (m != null && !checked.containsKey(sha)) {
                unchecked.put(sha, m);
            }
        }
        if (unchecked.size() < 2) {
            return;
        }
        Map<String, Checked> results = unchecked.entrySet().parallelStream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> check(e.getKey(), e.getValue())));
        checked.putAll(results);
    }

    private static Scope scope(DesiredBinding b) {
        return switch (b.getScope()) {
            case SCOPE_SERVER -> Scope.SERVER;
            case SCOPE_MAIL -> Scope.MAIL;
            case SCOPE_WEBMAIL -> Scope.WEBMAIL;
            default -> null;
        };
    }

    private static Checked check(String sha, Material m) {
        List<X509Certificate> chain;
        try {
            chain = Pem.readCertificates(m.getChainPem().getBytes(US_ASCII));
        } catch (BadMaterialException e) {
            return problem("the chain for leaf sha256:" + sha + " is unusable: " + e.getMessage());
        }
        String actual = Fingerprints.sha256Hex(chain.get(0));
        if (!actual.equals(sha)) {
            return problem("the chain filed under leaf sha256:" + sha + " starts with sha256:" + actual);
        }
        PrivateKey key;
        try {
            key = MaterialReader.readPemKey(m.getKeyPem().getBytes(US_ASCII), null);
        } catch (BadMaterialException e) {
            return problem("the key for leaf sha256:" + sha + " is unusable: " + e.getMessage());
        }
        if (!Keys.matches(key, chain.get(0))) {
            return problem("the key sent for leaf sha256:" + sha + " does not belong to that certificate");
        }
        // By names, not signatures: the controller validated the chain (signatures, trust) at import.
        if (!Chains.inIssuerOrder(chain)) {
            return problem("the chain for leaf sha256:" + sha + " is not in order (leaf first, then its issuers)");
        }
        return new Checked(new KeyMaterial(chain, key), null);
    }

    private static Checked problem(String message) {
        return new Checked(null, message);
    }
}
