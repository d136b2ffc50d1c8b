package org.mailcert.agent.target.mail;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Chooses which changed names a target proves by handshake. Up to {@link #MAX_PROVEN} changed names
 * are all proven; beyond that (a first install of thousands of domains, or the renewal of a SAN
 * bundle of 100 domains) a sample is: first one name for each distinct certificate, then names
 * spread evenly over the rest, so every new certificate and every part of the configuration is
 * exercised while the apply stays bounded. The server's default (no SNI) is always proven by the
 * caller besides. Each handshake on each port costs the agent 10-20 ms of CPU: with 32 names, a
 * bundle renewal's proofs on 7 ports took about 4 CPU-seconds, which slowed the servers' own work
 * on a 2-core host.
 */
public final class ProbeSample {
    /** How many changed names are proven at most per apply. */
    public static final int MAX_PROVEN = 8;

    private ProbeSample() {
    }

    /**
     * The names to prove among {@code changed} (in their order), at most {@code max}.
     *
     * @param leafOf the certificate (leaf SHA-256) a name will be served
     */
    public static <T> List<T> of(List<T> changed, Function<T, String> leafOf, int max) {
        if (changed.size() <= max) {
            return List.copyOf(changed);
        }
        Set<T> chosen = new LinkedHashSet<>();
        Set<String> leaves = new HashSet<>();
        for (T item : changed) {
            if (chosen.size() >= max) {
                break;
            }
            if (leaves.add(leafOf.apply(item))) {
                chosen.add(item);
            }
        }
        int room = Math.max(1, max - chosen.size());
        for (int k = 0; chosen.size() < max; k++) {
            long position = (long) k * changed.size() / room;
            if (position >= changed.size()) {
                break;
            }
            chosen.add(changed.get((int) position));
        }
        for (T item : changed) {
            if (chosen.size() >= max) {
                break;
            }
            chosen.add(item);
        }
        List<T> inOrder = new ArrayList<>();
        for (T item : changed) {
            if (chosen.contains(item)) {
                inOrder.add(item);
            }
        }
        return inOrder;
    }
}
