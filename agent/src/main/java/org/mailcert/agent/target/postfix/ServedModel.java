package org.mailcert.agent.target.postfix;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.agent.target.mail.ServedCheck.Expectation;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;

/**
 * What one Postfix configuration serves: the default (no SNI, or a name without an entry) and the
 * SNI map's entries, each as the leaf's SHA-256 and the binding it belongs to. Turns a list of
 * names into the expectations {@link org.mailcert.agent.target.mail.ServedCheck} probes.
 *
 * @param defaultLeaf the default certificate's leaf SHA-256, empty if unknown (then not probed)
 * @param defaultBinding the binding id for errors about the default
 * @param entries the SNI map's entries by lookup key
 * @param leaves lookup key to the leaf SHA-256 its entry serves; an entry not in it is read from its
 *     chain file when needed
 * @param bindings lookup key to binding id
 */
record ServedModel(Optional<String> defaultLeaf, String defaultBinding, Map<String, SniMap.Entry> entries,
        Map<String, String> leaves, Map<String, String> bindings) {

    /** The expectations for no SNI and for each name; names whose certificate is unknown are left out. */
    List<Expectation> expectations(List<String> sniNames) {
        List<Expectation> list = new ArrayList<>();
        defaultLeaf.ifPresent(l -> list.add(new Expectation(Optional.empty(), l, defaultBinding)));
        for (String name : sniNames) {
            Optional<SniMap.Entry> e = SniMap.lookup(entries, name);
            if (e.isPresent()) {
                String leaf = leaves.containsKey(e.get().key()) ? leaves.get(e.get().key())
                        : leafOf(e.get().chainFile().toString()).orElse(null);
                if (leaf != null) {
                    list.add(new Expectation(Optional.of(name), leaf, bindings.getOrDefault(e.get().key(), e.get().key())));
                }
            } else {
                defaultLeaf.ifPresent(l -> list.add(new Expectation(Optional.of(name), l, defaultBinding)));
            }
        }
        return list;
    }

    /**
     * The model of a configuration read from disk: the default from {@code smtpd_tls_chain_files}
     * (else the legacy {@code smtpd_tls_cert_file}), entries from a managed map's source, leaves read
     * from the files they name. Files that cannot be read leave that part unknown.
     */
    static ServedModel read(String chainFiles, String legacyCertFile, Map<String, SniMap.Entry> entries) {
        Optional<String> def = Optional.empty();
        String files = chainFiles != null && !chainFiles.isBlank() ? chainFiles : legacyCertFile;
        if (files != null) {
            for (String f : files.split("[,\\s]+")) {
                def = leafOf(f);
                if (def.isPresent()) {
                    break;
                }
            }
        }
        // Entries' leaves are read when a name is probed ({@link #expectations}), not here: reading
        // and parsing every chain file of a 5,000-entry map cost seconds per change.
        return new ServedModel(def, "server", entries, Map.of(), Map.of());
    }

    /** The SHA-256 of the first certificate in a PEM file, if it can be read. */
    static Optional<String> leafOf(String file) {
        if (file.isBlank() || !file.startsWith("/")) {
            return Optional.empty();
        }
        try {
            List<X509Certificate> certs = Pem.readCertificates(Files.readAllBytes(Path.of(file)));
            return certs.isEmpty() ? Optional.empty() : Optional.of(Fingerprints.sha256Hex(certs.get(0)));
        } catch (IOException | BadMaterialException e) {
            return Optional.empty();
        }
    }
}
