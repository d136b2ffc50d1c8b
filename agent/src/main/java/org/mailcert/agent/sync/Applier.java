package org.mailcert.agent.sync;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.agent.state.StateException;
import org.mailcert.agent.state.StateStore;
import org.mailcert.agent.target.ApplyReport;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.TargetSet;
import org.mailcert.proto.v1.Ack;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.BindingError;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.Nack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the applied state: applies a complete received state to the targets, persists it, and only
 * then answers Ack; on any failure the targets and the file keep the last good state and the answer
 * is a Nack with per-binding errors. Called from the sync loop thread only.
 */
final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    private final String host;
    private final TargetSet targets;
    private final StateStore states;
    private final StatusTracker status;
    private AppliedState applied;

    Applier(String host, TargetSet targets, StateStore states, StatusTracker status, AppliedState applied) {
        this.host = host;
        this.targets = Objects.requireNonNull(targets, "targets");
        this.states = Objects.requireNonNull(states, "states");
        this.status = Objects.requireNonNull(status, "status");
        this.applied = Objects.requireNonNull(applied, "applied");
    }

    /** The last applied and acknowledged state. */
    AppliedState current() {
        return applied;
    }

    /**
     * Applies a complete received state (all pages joined) and returns the Ack or Nack to send.
     *
     * @param cache the material held on this stream, already holding the state's materials
     */
    AgentMessage apply(DesiredState received, MaterialCache cache) {
        status.desired(received.getVersion());
        Map<String, DesiredBinding> desired = DesiredSets.merge(applied, received);
        MaterialCache.Resolution resolved = cache.resolve(desired.values());
        if (!resolved.errors().isEmpty()) {
            return nack(received, desired, resolved.errors().size() + " of " + desired.size()
                    + " binding(s) cannot be applied: " + resolved.errors().values().iterator().next(),
                    resolved.errors());
        }
        TargetSet.Transaction transaction;
        try {
            transaction = targets.apply(resolved.bindings());
        } catch (TargetException e) {
            return nack(received, desired, e.getMessage() + (e.restored() ? "" : " (the previous state could not be"
                    + " fully restored)"), e.bindingErrors());
        }
        AppliedState next = new AppliedState(received.getVersion(), received.getNonce(), desired, resolved.used());
        try {
            states.save(next);
        } catch (StateException e) {
            boolean restored = transaction.rollback();
            return nack(received, desired, e.getMessage() + (restored ? "" : " (and the targets could not be"
                    + " restored)"), Map.of());
        }
        transaction.commit();
        applied = next;
        status.applied(next);
        LOG.info("host {}: applied version {} ({} binding(s){})", host, next.version(), desired.size(),
                changes(transaction.reports()));
        return AgentMessage.newBuilder()
                .setAck(Ack.newBuilder().setVersion(received.getVersion()).setNonce(received.getNonce()))
                .build();
    }

    /**
     * Installs the persisted state again (at start, so the host converges while the controller is
     * away). Failures are logged and shown in the status; the state file is unchanged.
     */
    void enforce() {
        if (applied.version() == 0 && applied.bindings().isEmpty()) {
            return;
        }
        reinstall("enforced the stored state", "re-applying the stored state");
    }

    /**
     * Installs the applied state again to repair drift; the state file is unchanged.
     *
     * @return why the repair failed; empty when the targets applied
     */
    Optional<String> repair() {
        return reinstall("repaired drift", "repairing drift");
    }

    private Optional<String> reinstall(String done, String doing) {
        MaterialCache.Resolution resolved = new MaterialCache(applied.materials()).resolve(applied.bindings().values());
        String failure;
        Map<String, String> errors = resolved.errors();
        if (errors.isEmpty()) {
            try {
                TargetSet.Transaction t = targets.apply(resolved.bindings());
                t.commit();
                LOG.info("host {}: {}, version {} ({} binding(s){})", host, done, applied.version(),
                        applied.bindings().size(), changes(t.reports()));
                status.applied(applied);
                return Optional.empty();
            } catch (TargetException e) {
                failure = e.getMessage();
                errors = e.bindingErrors();
            }
        } else {
            failure = errors.values().iterator().next();
        }
        String message = doing + " (version " + applied.version() + ") failed: " + failure;
        LOG.error("host {}: {}", host, message);
        status.failed(message, applied.bindings().values(), errors, applied);
        return Optional.of(message);
    }

    private AgentMessage nack(DesiredState received, Map<String, DesiredBinding> desired, String message,
            Map<String, String> errors) {
        LOG.warn("host {}: refusing version {}: {}", host, received.getVersion(), message);
        status.failed(message, desired.values(), errors, applied);
        Nack.Builder nack = Nack.newBuilder()
                .setVersion(received.getVersion())
                .setNonce(received.getNonce())
                .setMessage(message);
        errors.forEach((id, m) -> nack.addErrors(BindingError.newBuilder().setId(id).setMessage(m)));
        return AgentMessage.newBuilder().setNack(nack).build();
    }

    private static String changes(List<ApplyReport> reports) {
        StringBuilder out = new StringBuilder();
        for (ApplyReport r : reports) {
            if (r.changed()) {
                long installed = r.bindings().values().stream()
                        .filter(o -> o == org.mailcert.agent.target.Outcome.INSTALLED).count();
                out.append("; ").append(r.target()).append(": ").append(installed).append(" installed, ")
                        .append(r.removed().size()).append(" removed");
            }
        }
        return out.length() == 0 ? "; nothing changed" : out.toString();
    }
}
