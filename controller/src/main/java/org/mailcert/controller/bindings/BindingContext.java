package org.mailcert.controller.bindings;

import java.security.PrivateKey;
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
 * @param certificate the assessed certificate version to be bound
 * @param key         its private key
 * @param server      the assessed certificate of the host's server binding, if it has one (for
 *                    a server binding itself: empty)
 */
public record BindingContext(Host host, HostFacts facts, BindingKey binding, Assessment certificate, PrivateKey key,
        Optional<Assessment> server) {

    /** The name clients connect to for this binding. */
    public String servedName() {
        return binding.scope().servedName(binding.host(), binding.domain());
    }
}
