package org.mailcert.controller.model;

import java.util.List;
import java.util.Map;

/**
 * What an agent reports about its host; {@link #UNKNOWN} until it does.
 *
 * @param software software name to version, one entry per software in {@code services}
 * @param sni      the host-level summary: {@code NO} when any inspected software cannot serve
 *                 per-domain certificates, {@code YES} when all can, {@code UNKNOWN} when none was inspected
 * @param services each mail software the agent inspected
 * @param domains  mail domains the agent discovered on the host (lower case, sorted)
 * @param problems what the agent could not inspect at all, one line each
 */
public record HostFacts(String os, String agentVersion, Map<String, String> software, SniSupport sni,
        List<ServiceFacts> services, List<String> domains, List<String> problems) {
    /** Facts of a host no agent has reported for. */
    public static final HostFacts UNKNOWN = new HostFacts("", "", Map.of(), SniSupport.UNKNOWN);

    /** Copies the collections. */
    public HostFacts {
        software = Map.copyOf(software);
        services = List.copyOf(services);
        domains = List.copyOf(domains);
        problems = List.copyOf(problems);
    }

    /** Facts without per-service details, as agents before service inspection reported them. */
    public HostFacts(String os, String agentVersion, Map<String, String> software, SniSupport sni) {
        this(os, agentVersion, software, sni, List.of(), List.of(), List.of());
    }

    /** The inspected software that cannot serve per-domain certificates, in reported order. */
    public List<ServiceFacts> withoutPerDomainSni() {
        return services.stream().filter(s -> !s.perDomainSni()).toList();
    }
}
