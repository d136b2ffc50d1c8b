package org.mailcert.controller.sync;

import java.util.List;

/**
 * One page of desired state for an agent. Pages of one update share version and nonce; the agent
 * applies after the {@code last} one.
 *
 * @param full true when {@code upserted} is the complete set; false for a delta
 */
public record StateUpdate(long version, String nonce, boolean full, List<BindingSpec> upserted, List<String> removed,
        List<MaterialSpec> materials, int page, boolean last) {
    public StateUpdate {
        upserted = List.copyOf(upserted);
        removed = List.copyOf(removed);
        materials = List.copyOf(materials);
    }
}
