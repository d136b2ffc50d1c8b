package org.mailcert.controller.testing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.mailcert.controller.model.BindingConditions;
import org.mailcert.controller.model.Condition;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftMode;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.RunOutcome;

/** Drift reports as an agent would send them, built briefly for tests. */
public final class Reports {
    /** A fixed time items were first seen at. */
    public static final Instant SINCE = Instant.parse("2026-11-29T15:00:00Z");

    private Reports() {
    }

    /** An item first seen at {@link #SINCE}. */
    public static DriftItem item(String subject, String reason, String target, DriftAction action) {
        return item(subject, reason, target, action, SINCE);
    }

    /** An item first seen at {@code since}. */
    public static DriftItem item(String subject, String reason, String target, DriftAction action, Instant since) {
        return new DriftItem(reason, subject, target, reason + " of " + subject + " seen by " + target,
                Optional.of(since), action);
    }

    /** A report of an enforcing agent at {@code appliedVersion} with these items. */
    public static DriftReport report(long appliedVersion, RunOutcome outcome, DriftItem... items) {
        return report(appliedVersion, DriftMode.ENFORCE, outcome, List.of(), items);
    }

    /** A report with binding conditions. */
    public static DriftReport report(long appliedVersion, DriftMode mode, RunOutcome outcome,
            List<BindingConditions> bindings, DriftItem... items) {
        return new DriftReport(appliedVersion, mode, outcome, Optional.of(SINCE.plusSeconds(60)), "timer", 42,
                bindings, List.of(condition(Condition.READY, "True", appliedVersion)), List.of(items), 3);
    }

    /** A condition with reason = type when True, {@code FileMissing} otherwise. */
    public static Condition condition(String type, String status, long observedVersion) {
        return new Condition(type, status, "True".equals(status) ? type : "FileMissing", type + " is " + status,
                Optional.of(SINCE), observedVersion);
    }

    /** One binding's Installed and Served conditions with the leaf the agent holds. */
    public static BindingConditions binding(String id, String leafSha256, String installed, String served,
            long observedVersion) {
        return new BindingConditions(id, List.of(condition(Condition.INSTALLED, installed, observedVersion),
                condition(Condition.SERVED, served, observedVersion)), leafSha256);
    }
}
