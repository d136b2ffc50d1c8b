package org.mailcert.agent.drift;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.probe.Endpoint;

/**
 * Which handshakes one drift cycle makes, within a budget: a host with 5,000 domains on 7 ports
 * has 35,000 (name, port) pairs, far more than fit the cycle's 10 s. Every cycle probes each port
 * without SNI (what clients without SNI get), then one name per distinct certificate on each port
 * (so every certificate in use is seen), then a window of the other pairs. What does not fit moves
 * on from cycle to cycle, so every pair is probed within {@code ceil(pairs / room)} cycles.
 */
public final class ProbePlan {
    /**
     * A name the host serves.
     *
     * @param sni the name to send
     * @param leafSha256 the leaf that should be served for it
     */
    public record Name(String sni, String leafSha256) {
        /** Refuses nulls. */
        public Name {
            Objects.requireNonNull(sni, "sni");
            Objects.requireNonNull(leafSha256, "leafSha256");
        }
    }

    private ProbePlan() {
    }

    /**
     * The handshakes of cycle number {@code cycle}.
     *
     * @param budget how many handshakes the cycle may make (at least one per port is always made)
     */
    public static List<ServedObserver.Ask> of(List<Endpoint> endpoints, List<Name> names, int budget, long cycle) {
        return of(endpoints, names, budget, cycle, true);
    }

    /**
     * As {@link #of(List, List, int, long)}; without {@code withoutSni} no handshake goes without a name
     * (a webmail server has no server-wide certificate to check).
     */
    public static List<ServedObserver.Ask> of(List<Endpoint> endpoints, List<Name> names, int budget, long cycle,
            boolean withoutSni) {
        List<ServedObserver.Ask> plan = new ArrayList<>();
        if (withoutSni) {
            for (Endpoint e : endpoints) {
                plan.add(new ServedObserver.Ask(e, Optional.empty()));
            }
        }
        List<ServedObserver.Ask> representatives = new ArrayList<>();
        List<ServedObserver.Ask> others = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<Name> first = new ArrayList<>();
        List<Name> rest = new ArrayList<>();
        for (Name n : names) {
            (seen.add(n.leafSha256()) ? first : rest).add(n);
        }
        for (Name n : first) {
            endpoints.forEach(e -> representatives.add(new ServedObserver.Ask(e, Optional.of(n.sni()))));
        }
        for (Name n : rest) {
            endpoints.forEach(e -> others.add(new ServedObserver.Ask(e, Optional.of(n.sni()))));
        }
        int room = Math.max(0, budget - plan.size());
        if (representatives.size() >= room) {
            plan.addAll(window(representatives, room, cycle));
        } else {
            plan.addAll(representatives);
            plan.addAll(window(others, room - representatives.size(), cycle));
        }
        return plan;
    }

    /** {@code size} items of {@code all} from offset {@code cycle * size}, wrapping; all of them if they fit. */
    private static List<ServedObserver.Ask> window(List<ServedObserver.Ask> all, int size, long cycle) {
        if (size >= all.size()) {
            return all;
        }
        List<ServedObserver.Ask> out = new ArrayList<>(size);
        long start = Math.floorMod(cycle * size, (long) all.size());
        for (int k = 0; k < size; k++) {
            out.add(all.get((int) ((start + k) % all.size())));
        }
        return out;
    }
}
