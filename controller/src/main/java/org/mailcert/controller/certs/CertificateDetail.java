package org.mailcert.controller.certs;

import java.util.List;
import org.mailcert.controller.model.Binding;

/** Every version of a named certificate, assessed, and the bindings that use the name. */
public record CertificateDetail(String name, List<Assessment> versions, List<Binding> usedBy) {
    public CertificateDetail {
        versions = List.copyOf(versions);
        usedBy = List.copyOf(usedBy);
    }

    /** The newest version. */
    public Assessment latest() {
        return versions.get(versions.size() - 1);
    }
}
