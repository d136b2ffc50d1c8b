package org.mailcert.controller.sync;

import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Scope;

/**
 * One binding as an agent receives it: what to serve for which name, and which certificate
 * version (by name, version and leaf SHA-256).
 *
 * @param id stable id: {@code server}, {@code mail/<domain>} or {@code webmail/<domain>}
 */
public record BindingSpec(String id, Scope scope, String domain, String servedName, String certificate,
        int certificateVersion, String leafSha256) {

    /** The spec of a binding served from a certificate version. */
    static BindingSpec of(Binding b, CertificateVersion v, String leafSha256) {
        return new BindingSpec(b.key().id(), b.key().scope(), b.key().domain(), b.servedName(), v.name(), v.version(),
                leafSha256);
    }
}
