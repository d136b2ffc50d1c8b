package org.mailcert.agent.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The conditions of each binding and of the host, derived from a drift cycle's items, and merged
 * with the previous ones so that a transition time moves only when a status changes.
 */
public final class Conditions {
    /** Drift that means a binding is not installed as desired. */
    static final Set<Reason> NOT_INSTALLED = EnumSet.of(Reason.FILE_MISSING, Reason.FILE_CHANGED,
            Reason.KEY_PERMISSIONS_WRONG, Reason.CONFIG_EDITED);
    /** Drift that means what clients get is not the desired certificate for the name. */
    static final Set<Reason> NOT_SERVED = EnumSet.of(Reason.SERVED_MISMATCH, Reason.NAME_MISMATCH);
    /** Drift of the certificate itself or of the host, which keeps a binding from being ready. */
    static final Set<Reason> NOT_READY = EnumSet.of(Reason.EXPIRED, Reason.UNTRUSTED,
            Reason.UNSUPPORTED_ON_THIS_SERVER, Reason.SERVER_CERTIFICATE_INVALID);

    private Conditions() {
    }

    /**
     * The Installed, Served and Ready conditions of one subject (a binding's id or {@link
     * DriftItem#HOST}) after a cycle, before merging. Items about the host (configuration, the
     * server-wide certificate) count for every binding. Expiring and DomainUncovered are reported
     * as drift but do not make a binding unready: the certificate still works.
     */
    public static List<Condition> of(String subject, List<DriftItem> items, long version, Instant now) {
        List<DriftItem> mine = items.stream()
                .filter(i -> i.subject().equals(subject) || i.subject().equals(DriftItem.HOST)).toList();
        Condition installed = condition(Condition.Type.INSTALLED, first(mine, NOT_INSTALLED), version, now);
        Condition served = condition(Condition.Type.SERVED, first(mine, NOT_SERVED), version, now);
        Optional<DriftItem> notReady = first(mine, NOT_INSTALLED).or(() -> first(mine, NOT_SERVED))
                .or(() -> first(mine, NOT_READY));
        Condition ready = condition(Condition.Type.READY, notReady, version, now);
        return List.of(installed, served, ready);
    }

    /**
     * The new conditions, each keeping the previous one's transition time if its status did not
     * change (cert-manager's rule); a type seen for the first time starts at {@code next}'s time.
     */
    public static List<Condition> merge(List<Condition> previous, List<Condition> next) {
        Map<Condition.Type, Condition> before = new EnumMap<>(Condition.Type.class);
        previous.forEach(c -> before.put(c.type(), c));
        List<Condition> out = new ArrayList<>();
        for (Condition c : next) {
            Condition was = before.get(c.type());
            Instant since = was != null && was.status() == c.status() ? was.lastTransitionTime() : c.lastTransitionTime();
            out.add(new Condition(c.type(), c.status(), c.reason(), c.message(), since, c.observedVersion()));
        }
        return out;
    }

    private static Optional<DriftItem> first(List<DriftItem> items, Set<Reason> reasons) {
        return items.stream().filter(i -> reasons.contains(i.reason())).findFirst();
    }

    private static Condition condition(Condition.Type type, Optional<DriftItem> against, long version, Instant now) {
        return against.map(i -> new Condition(type, Condition.Status.FALSE, i.reason().label(), i.message(), now, version))
                .orElseGet(() -> new Condition(type, Condition.Status.TRUE, type.label(), "", now, version));
    }
}
