package org.mailcert.agent.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import org.mailcert.agent.state.DriftReportStore;
import org.mailcert.proto.v1.DriftAction;
import org.mailcert.proto.v1.DriftMode;
import org.mailcert.proto.v1.DriftReport;
import org.mailcert.proto.v1.RunOutcome;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.mailcert.agent.AgentException;
import org.mailcert.agent.identity.AgentSettings;
import org.mailcert.agent.identity.IdentityException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.state.AgentStatus;
import org.mailcert.agent.state.BindingStatus;
import org.mailcert.agent.state.StatusStore;
import org.mailcert.common.text.OutputFormat;
import org.mailcert.common.text.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code mailcert-agent status}: what the agent on this host last reported about itself. */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = "Show the controller connection, applied vs desired version, each binding's state and the"
                + " last drift check's items.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    AgentMain main;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "./var/agent",
            description = "Identity and state (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = {"-o", "--output"}, paramLabel = "table|json", defaultValue = "table",
            converter = OutputFormat.Converter.class, description = "table for people (default) or json for scripts.")
    OutputFormat format;

    @Override
    public Integer call() throws Exception {
        IdentityStore identities = new IdentityStore(dataDir);
        Optional<AgentStatus> status = new StatusStore(dataDir).load();
        Optional<DriftReport> drift = new DriftReportStore(dataDir).load();
        AgentSettings settings;
        try {
            settings = identities.loadSettings();
        } catch (IdentityException e) {
            if (status.isEmpty()) {
                throw e;
            }
            settings = null;
        }
        Optional<X509Certificate> cert = Optional.empty();
        try {
            cert = identities.loadCertificate();
        } catch (IdentityException e) {
            // shown as unknown validity
        }
        if (settings == null && status.isEmpty()) {
            throw new AgentException("nothing to show in " + dataDir);
        }
        String host = settings != null ? settings.host() : status.get().host();
        String controller = settings != null ? settings.controller().toString() : status.get().controller();
        String until = cert.map(c -> c.getNotAfter().toInstant().toString()).orElse("");
        if (format == OutputFormat.JSON) {
            main.out.println(StatusStore.toJson(json(host, controller, until, status, drift)));
        } else {
            main.out.print(table(host, controller, until, status) + drift.map(StatusCommand::driftTable).orElse(""));
        }
        return 0;
    }

    private static Struct json(String host, String controller, String until, Optional<AgentStatus> status,
            Optional<DriftReport> drift) throws InvalidProtocolBufferException {
        Struct.Builder report = Struct.newBuilder();
        if (drift.isPresent()) {
            JsonFormat.parser().merge(DriftReportStore.toJson(drift.get()), report);
        }
        return json(host, controller, until, status).toBuilder()
                .putFields("drift", drift.isPresent() ? Value.newBuilder().setStructValue(report).build()
                        : Value.newBuilder().setNullValue(com.google.protobuf.NullValue.NULL_VALUE).build())
                .build();
    }

    /** The last drift cycle: when, its outcome, and each item with what was done about it. */
    static String driftTable(DriftReport r) {
        Table head = Table.keyValue()
                .row("drift check", Timestamps.toString(r.getObserved()) + " (" + r.getTrigger() + ", "
                        + r.getDurationMillis() + " ms, " + r.getProbes() + " handshake(s))")
                .row("drift mode", r.getMode() == DriftMode.DRIFT_MODE_REPORT ? "report" : "enforce")
                .row("outcome", outcome(r.getOutcome()));
        StringBuilder out = new StringBuilder("\n").append(head.render()).append('\n');
        if (r.getItemsCount() == 0) {
            return out.append("no drift\n").toString();
        }
        Table items = Table.columns("REASON", "SUBJECT", "TARGET", "ACTION", "SINCE", "MESSAGE");
        for (org.mailcert.proto.v1.DriftItem i : r.getItemsList()) {
            items.row(i.getReason(), i.getSubject(), i.getTarget(), action(i.getAction()),
                    Timestamps.toString(i.getSince()), i.getMessage());
        }
        return out.append(items.render()).toString();
    }

    private static String outcome(RunOutcome o) {
        return switch (o) {
            case RUN_OUTCOME_IN_SYNC -> "in sync";
            case RUN_OUTCOME_CORRECTIVE_CHANGE -> "corrective change";
            case RUN_OUTCOME_WOULD_CHANGE -> "would change";
            case RUN_OUTCOME_FAILED -> "failed";
            default -> "unknown";
        };
    }

    private static String action(DriftAction a) {
        return switch (a) {
            case DRIFT_ACTION_REPAIRED -> "repaired";
            case DRIFT_ACTION_WOULD_CHANGE -> "would change";
            case DRIFT_ACTION_REPAIR_FAILED -> "repair failed";
            default -> "reported";
        };
    }

    private static Struct json(String host, String controller, String until, Optional<AgentStatus> status) {
        Struct.Builder out = status.map(StatusStore::toStruct).map(Struct::toBuilder).orElseGet(() ->
                Struct.newBuilder()
                        .putFields("connection", text("not-started"))
                        .putFields("last_error", text(""))
                        .putFields("desired_version", Value.newBuilder().setNumberValue(0).build())
                        .putFields("applied_version", Value.newBuilder().setNumberValue(0).build())
                        .putFields("bindings", Value.newBuilder().setListValue(
                                com.google.protobuf.ListValue.getDefaultInstance()).build()));
        return out.putFields("host", text(host))
                .putFields("controller", text(controller))
                .putFields("identity_not_after", text(until))
                .build();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    static String table(String host, String controller, String until, Optional<AgentStatus> status) {
        Table head = Table.keyValue()
                .row("host", host)
                .row("controller", controller)
                .row("identity", until.isEmpty() ? "" : "valid until " + until);
        if (status.isEmpty()) {
            head.row("connection", "not started (no status yet: has `mailcert-agent run` started?)");
            return head.render();
        }
        AgentStatus s = status.get();
        head.row("connection", s.connection().label() + " since " + s.since())
                .row("last error", s.lastError().orElse(""))
                .row("applied version", version(s.appliedVersion()))
                .row("desired version", version(s.desiredVersion()) + (s.desiredVersion() == 0 ? ""
                        : s.desiredVersion() == s.appliedVersion() ? " (in sync)" : " (not applied)"))
                .row("updated", s.updated().toString());
        StringBuilder out = new StringBuilder(head.render()).append('\n');
        if (s.bindings().isEmpty()) {
            return out.append("no bindings\n").toString();
        }
        Table bindings = Table.columns("BINDING", "SERVED NAME", "CERTIFICATE", "STATE", "MESSAGE");
        for (BindingStatus b : s.bindings()) {
            bindings.row(b.id(), b.servedName(), b.certificate() + " v" + b.certificateVersion(), b.state().label(),
                    b.message());
        }
        return out.append(bindings.render()).toString();
    }

    private static String version(long v) {
        return v == 0 ? "none" : Long.toString(v);
    }
}
