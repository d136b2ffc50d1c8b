package org.mailcert.agent.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mailcert.proto.v1.AppliedBinding;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.Material;

/**
 * The complete set of bindings the agent has applied and acknowledged, with the material they use.
 * Immutable; its {@code toString} never shows keys.
 *
 * @param version the acknowledged DesiredState version; 0 before the first
 * @param nonce the acknowledged DesiredState nonce; "" before the first
 * @param bindings binding id to binding
 * @param materials leaf SHA-256 to chain and key, exactly for the leaves the bindings use
 */
public record AppliedState(long version, String nonce, Map<String, DesiredBinding> bindings,
        Map<String, Material> materials) {
    /** Nothing applied yet. */
    public static final AppliedState EMPTY = new AppliedState(0, "", Map.of(), Map.of());

    /** Copies the maps into sorted, unmodifiable ones. */
    public AppliedState {
        bindings = Collections.unmodifiableMap(new TreeMap<>(bindings));
        materials = Collections.unmodifiableMap(new TreeMap<>(materials));
    }

    /** Reads the state from its file format (see the package documentation). */
    public static AppliedState fromProto(DesiredState state) {
        Map<String, DesiredBinding> bindings = new TreeMap<>();
        for (DesiredBinding b : state.getUpsertedList()) {
            bindings.put(b.getId(), b);
        }
        Map<String, Material> materials = new TreeMap<>();
        for (Material m : state.getMaterialsList()) {
            materials.put(m.getLeafSha256(), m);
        }
        return new AppliedState(state.getVersion(), state.getNonce(), bindings, materials);
    }

    /** The state in its file format: a full, single-page DesiredState. */
    public DesiredState toProto() {
        return DesiredState.newBuilder()
                .setVersion(version)
                .setNonce(nonce)
                .setFull(true)
                .addAllUpserted(bindings.values())
                .addAllMaterials(materials.values())
                .setPage(0)
                .setLast(true)
                .build();
    }

    /** Id and leaf SHA-256 of every applied binding, for Hello. */
    public List<AppliedBinding> applied() {
        List<AppliedBinding> out = new ArrayList<>();
        for (DesiredBinding b : bindings.values()) {
            out.add(AppliedBinding.newBuilder().setId(b.getId()).setLeafSha256(b.getLeafSha256()).build());
        }
        return out;
    }

    /** The leaf SHA-256 of every certificate whose material this state holds, for Hello. */
    public List<String> heldSha256() {
        return List.copyOf(materials.keySet());
    }

    /** Names the version and the binding ids; never shows keys. */
    @Override
    public String toString() {
        return "AppliedState[version " + version + ", bindings " + bindings.keySet() + ", materials "
                + materials.size() + "]";
    }
}
