package org.mailcert.controller.model;

import java.util.List;
import java.util.Objects;

/**
 * What an agent found about one mail software on its host.
 *
 * @param software     {@code postfix}, {@code dovecot}, {@code qmail}, {@code courier}, ...
 * @param version      as the software reports it; empty if unknown
 * @param perDomainSni whether it can serve per-domain certificates by SNI, as installed
 * @param endpoints    the TLS services it has enabled
 * @param problems     what the agent could not read or that conflicts with its settings
 */
public record ServiceFacts(String software, String version, boolean perDomainSni, List<ServiceEndpoint> endpoints,
        List<String> problems) {
    /** Refuses nulls and copies the lists. */
    public ServiceFacts {
        Objects.requireNonNull(software, "software");
        Objects.requireNonNull(version, "version");
        endpoints = List.copyOf(endpoints);
        problems = List.copyOf(problems);
    }

    /** {@code software version}, or the software alone when the version is unknown. */
    public String label() {
        return version.isEmpty() ? software : software + " " + version;
    }
}
