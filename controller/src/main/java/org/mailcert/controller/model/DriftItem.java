package org.mailcert.controller.model;

import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;

/**
 * One difference between the desired and the observed state of a host, as its agent reported it.
 *
 * @param reason  a drift reason such as {@code FileMissing}, {@code ServedMismatch}, {@code Expiring}
 * @param subject the binding id ({@code server}, {@code mail/<domain>}, {@code webmail/<domain>}) or
 *                {@code host} for the host as a whole
 * @param target  the target that observed it ({@code postfix}, {@code dovecot}, ...); empty for none
 * @param message for an admin: names the file, endpoint or certificate
 * @param since   when the agent first saw this item (reason, subject and target) without a break
 */
public record DriftItem(String reason, String subject, String target, String message, Optional<Instant> since,
        DriftAction action) {
    /** How items are listed: by subject, reason and target. */
    public static final Comparator<DriftItem> ORDER = Comparator.comparing(DriftItem::subject)
            .thenComparing(DriftItem::reason).thenComparing(DriftItem::target);

    /** Reasons that are reported but do not make a host drifting: they are shown apart. */
    public static final Set<String> NOT_DRIFT = Set.of("Expiring", "DomainUncovered");

    /** Identifies the item across reports: subject, reason and target. */
    public String key() {
        return subject + '\0' + reason + '\0' + target;
    }

    /** Still there after the cycle that reported it: anything but {@link DriftAction#REPAIRED}. */
    public boolean outstanding() {
        return action != DriftAction.REPAIRED;
    }

    /**
     * Outstanding and a reason to call the host drifting: would change, repair failed, or reported
     * with a reason other than those in {@link #NOT_DRIFT} (an expiring certificate or an uncovered
     * domain is listed, not drift of the host).
     */
    public boolean drifting() {
        return outstanding() && !(action == DriftAction.REPORTED && NOT_DRIFT.contains(reason));
    }
}
