package org.mailcert.agent.cli;

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
        description = "Show the controller connection, applied vs desired version and each binding's state.")
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
            main.out.println(StatusStore.toJson(json(host, controller, until, status)));
        } else {
            main.out.print(table(host, controller, until, status));
        }
        return 0;
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
