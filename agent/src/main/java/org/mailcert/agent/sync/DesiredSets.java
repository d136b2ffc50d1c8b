package org.mailcert.agent.sync;

import java.util.Map;
import java.util.TreeMap;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;

/** Turns a received DesiredState into the complete desired set of bindings. */
final class DesiredSets {
    private DesiredSets() {
    }

    /**
     * The complete set: a full state's {@code upserted} alone; a delta's {@code upserted} and {@code
     * removed_ids} applied to the bindings the agent applied (and reported in Hello or acknowledged).
     * An upsert wins over a removal of the same id.
     */
    static Map<String, DesiredBinding> merge(AppliedState applied, DesiredState received) {
        Map<String, DesiredBinding> result = new TreeMap<>();
        if (!received.getFull()) {
            result.putAll(applied.bindings());
            for (String id : received.getRemovedIdsList()) {
                result.remove(id);
            }
        }
        for (DesiredBinding b : received.getUpsertedList()) {
            result.put(b.getId(), b);
        }
        return result;
    }
}
