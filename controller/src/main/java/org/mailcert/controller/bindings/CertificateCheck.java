package org.mailcert.controller.bindings;

import java.security.PrivateKey;
import java.util.List;
import java.util.Optional;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Keys;
import org.mailcert.controller.certs.Assessment;

/**
 * What the binding rules need to know about one certificate version, computed once per version
 * however many bindings use it: its assessment, whether its key matches the leaf, and what is
 * wrong with its chain order, if anything.
 */
record CertificateCheck(Assessment assessment, boolean keyMatches, Optional<String> chainProblem) {

    /** Checks a version against its private key. */
    static CertificateCheck of(Assessment assessment, PrivateKey key) {
        var chain = assessment.version().chain();
        Optional<String> chainProblem;
        try {
            List<java.security.cert.X509Certificate> ordered = Chains.order(chain);
            chainProblem = ordered.equals(chain) ? Optional.empty() : Optional.of("is not in order (leaf first)");
        } catch (BadMaterialException e) {
            chainProblem = Optional.of("is broken: " + e.getMessage());
        }
        return new CertificateCheck(assessment, Keys.matches(key, assessment.version().leaf()), chainProblem);
    }
}
