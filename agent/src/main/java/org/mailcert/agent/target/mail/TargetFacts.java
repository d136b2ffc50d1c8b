package org.mailcert.agent.target.mail;

import java.util.List;
import java.util.Objects;
import org.mailcert.agent.probe.Endpoint;

/**
 * What a mail-server target found on this host, reported to the controller with the host facts.
 *
 * @param software the software's name ({@code postfix}, {@code dovecot}, {@code qmail}, {@code courier})
 * @param version its version as the software reports it; empty if it could not be read
 * @param perDomainSni whether this software, as installed, can serve per-domain certificates by SNI
 * @param endpoints the TLS services it has enabled, where the agent probes them
 * @param domains the mail domains it serves (sorted, lower case, validated host names)
 * @param problems one line per thing the agent could not read or that conflicts with its own
 *     settings (an admin's own {@code tls_server_sni_maps}, an unreadable lookup table), empty when none
 */
public record TargetFacts(String software, String version, boolean perDomainSni, List<Endpoint> endpoints,
        List<String> domains, List<String> problems) {
    /** Copies the lists and refuses nulls. */
    public TargetFacts {
        Objects.requireNonNull(software, "software");
        Objects.requireNonNull(version, "version");
        endpoints = List.copyOf(endpoints);
        domains = List.copyOf(domains);
        problems = List.copyOf(problems);
    }
}
