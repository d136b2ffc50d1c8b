package org.mailcert.controller.store;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.Optional;
import org.mailcert.controller.model.BindingConditions;
import org.mailcert.controller.model.Condition;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftMode;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.RunOutcome;

/**
 * Drift reports to and from their proto message, which is at once what agents send, what the admin
 * API shows and what the store keeps: one mapping serves all three. An unset time is an empty
 * optional; an item whose action the agent left unspecified counts as reported.
 */
public final class ReportMapper {
    private ReportMapper() {
    }

    /** The report as a proto message. */
    public static org.mailcert.proto.v1.DriftReport toProto(DriftReport r) {
        var b = org.mailcert.proto.v1.DriftReport.newBuilder()
                .setAppliedVersion(r.appliedVersion())
                .setMode(toProto(r.mode()))
                .setOutcome(toProto(r.outcome()))
                .setTrigger(r.trigger())
                .setDurationMillis(r.durationMillis())
                .setProbes(r.probes());
        r.observed().ifPresent(t -> b.setObserved(timestamp(t)));
        r.bindings().forEach(x -> b.addBindings(toProto(x)));
        r.hostConditions().forEach(c -> b.addHostConditions(toProto(c)));
        r.items().forEach(i -> b.addItems(toProto(i)));
        return b.build();
    }

    /** The report a proto message holds. */
    public static DriftReport fromProto(org.mailcert.proto.v1.DriftReport r) {
        return new DriftReport(r.getAppliedVersion(), fromProto(r.getMode()), fromProto(r.getOutcome()),
                r.hasObserved() ? Optional.of(instant(r.getObserved())) : Optional.empty(), r.getTrigger(),
                r.getDurationMillis(),
                r.getBindingsList().stream().map(ReportMapper::fromProto).toList(),
                r.getHostConditionsList().stream().map(ReportMapper::fromProto).toList(),
                r.getItemsList().stream().map(ReportMapper::fromProto).toList(),
                r.getProbes());
    }

    /** A condition as a proto message. */
    public static org.mailcert.proto.v1.Condition toProto(Condition c) {
        var b = org.mailcert.proto.v1.Condition.newBuilder()
                .setType(c.type())
                .setStatus(c.status())
                .setReason(c.reason())
                .setMessage(c.message())
                .setObservedVersion(c.observedVersion());
        c.lastTransitionTime().ifPresent(t -> b.setLastTransitionTime(timestamp(t)));
        return b.build();
    }

    static Condition fromProto(org.mailcert.proto.v1.Condition c) {
        return new Condition(c.getType(), c.getStatus(), c.getReason(), c.getMessage(),
                c.hasLastTransitionTime() ? Optional.of(instant(c.getLastTransitionTime())) : Optional.empty(),
                c.getObservedVersion());
    }

    /** A binding's conditions as a proto message. */
    public static org.mailcert.proto.v1.BindingConditions toProto(BindingConditions b) {
        var p = org.mailcert.proto.v1.BindingConditions.newBuilder().setId(b.id()).setLeafSha256(b.leafSha256());
        b.conditions().forEach(c -> p.addConditions(toProto(c)));
        return p.build();
    }

    static BindingConditions fromProto(org.mailcert.proto.v1.BindingConditions b) {
        return new BindingConditions(b.getId(), b.getConditionsList().stream().map(ReportMapper::fromProto).toList(),
                b.getLeafSha256());
    }

    /** A drift item as a proto message. */
    public static org.mailcert.proto.v1.DriftItem toProto(DriftItem i) {
        var b = org.mailcert.proto.v1.DriftItem.newBuilder()
                .setReason(i.reason())
                .setSubject(i.subject())
                .setTarget(i.target())
                .setMessage(i.message())
                .setAction(switch (i.action()) {
                    case REPORTED -> org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_REPORTED;
                    case REPAIRED -> org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_REPAIRED;
                    case WOULD_CHANGE -> org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_WOULD_CHANGE;
                    case REPAIR_FAILED -> org.mailcert.proto.v1.DriftAction.DRIFT_ACTION_REPAIR_FAILED;
                });
        i.since().ifPresent(t -> b.setSince(timestamp(t)));
        return b.build();
    }

    static DriftItem fromProto(org.mailcert.proto.v1.DriftItem i) {
        DriftAction action = switch (i.getAction()) {
            case DRIFT_ACTION_REPAIRED -> DriftAction.REPAIRED;
            case DRIFT_ACTION_WOULD_CHANGE -> DriftAction.WOULD_CHANGE;
            case DRIFT_ACTION_REPAIR_FAILED -> DriftAction.REPAIR_FAILED;
            default -> DriftAction.REPORTED;
        };
        return new DriftItem(i.getReason(), i.getSubject(), i.getTarget(), i.getMessage(),
                i.hasSince() ? Optional.of(instant(i.getSince())) : Optional.empty(), action);
    }

    /** A drift mode as its proto enum; unknown is unspecified. */
    public static org.mailcert.proto.v1.DriftMode toProto(DriftMode m) {
        return switch (m) {
            case UNKNOWN -> org.mailcert.proto.v1.DriftMode.DRIFT_MODE_UNSPECIFIED;
            case ENFORCE -> org.mailcert.proto.v1.DriftMode.DRIFT_MODE_ENFORCE;
            case REPORT -> org.mailcert.proto.v1.DriftMode.DRIFT_MODE_REPORT;
        };
    }

    static DriftMode fromProto(org.mailcert.proto.v1.DriftMode m) {
        return switch (m) {
            case DRIFT_MODE_ENFORCE -> DriftMode.ENFORCE;
            case DRIFT_MODE_REPORT -> DriftMode.REPORT;
            default -> DriftMode.UNKNOWN;
        };
    }

    /** A run outcome as its proto enum; unknown is unspecified. */
    public static org.mailcert.proto.v1.RunOutcome toProto(RunOutcome o) {
        return switch (o) {
            case UNKNOWN -> org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_UNSPECIFIED;
            case IN_SYNC -> org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_IN_SYNC;
            case CORRECTIVE_CHANGE -> org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_CORRECTIVE_CHANGE;
            case WOULD_CHANGE -> org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_WOULD_CHANGE;
            case FAILED -> org.mailcert.proto.v1.RunOutcome.RUN_OUTCOME_FAILED;
        };
    }

    static RunOutcome fromProto(org.mailcert.proto.v1.RunOutcome o) {
        return switch (o) {
            case RUN_OUTCOME_IN_SYNC -> RunOutcome.IN_SYNC;
            case RUN_OUTCOME_CORRECTIVE_CHANGE -> RunOutcome.CORRECTIVE_CHANGE;
            case RUN_OUTCOME_WOULD_CHANGE -> RunOutcome.WOULD_CHANGE;
            case RUN_OUTCOME_FAILED -> RunOutcome.FAILED;
            default -> RunOutcome.UNKNOWN;
        };
    }

    /** A time as a proto timestamp. */
    public static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    private static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }
}
