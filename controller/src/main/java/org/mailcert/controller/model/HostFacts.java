package org.mailcert.controller.model;

import java.util.Map;

/** What an agent reports about its host; {@link #UNKNOWN} until it does. */
public record HostFacts(String os, String agentVersion, Map<String, String> software, SniSupport sni) {
    public static final HostFacts UNKNOWN = new HostFacts("", "", Map.of(), SniSupport.UNKNOWN);

    public HostFacts {
        software = Map.copyOf(software);
    }
}
