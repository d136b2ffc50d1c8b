package org.mailcert.controller.bindings;

import java.util.Optional;
import org.mailcert.controller.certs.Assessment;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostFacts;

/**
 * What the binding rules look at.
 *
 * @param facts what the host's agent reported (SNI support)
 *
 * @param check       the certificate version to be bound, assessed and checked against its key
 * @param server      the assessed certificate of the host's server binding, if it has one (for
 *                    a server binding itself: empty)
 */
public record BindingContext(Host host, HostFacts facts, BindingKey binding, CertificateCheck check,
        Optional<Assessment> server) {

    /** The assessed certificate version to be bound. */
    public Assessment certificate() {
        return check.assessment();
    }


    /** The name clients connect to for this binding. */
    public String servedName() {
        return binding.scope().servedName(binding.host(), binding.domain());
    }
}
