package org.mailcert.controller.sync;

import java.util.Map;
import java.util.Set;
import org.mailcert.controller.model.HostFacts;

/**
 * What an agent says when its stream opens.
 *
 * @param applied binding id to leaf SHA-256 of everything it has applied
 * @param held    leaf SHA-256 of every certificate whose material it holds
 */
public record AgentHello(String host, String agentVersion, HostFacts facts, long appliedVersion,
        Map<String, String> applied, Set<String> held) {
    public AgentHello {
        applied = Map.copyOf(applied);
        held = Set.copyOf(held);
    }
}
