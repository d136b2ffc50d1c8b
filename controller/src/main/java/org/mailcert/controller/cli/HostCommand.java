package org.mailcert.controller.cli;

import java.util.List;
import java.util.TreeSet;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.BindingConditions;
import org.mailcert.proto.v1.Condition;
import org.mailcert.proto.v1.DriftItem;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.HostDetail;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.HostState;
import org.mailcert.proto.v1.ListHostsRequest;
import org.mailcert.proto.v1.ListHostsResponse;
import org.mailcert.proto.v1.RevokeHostRequest;
import org.mailcert.proto.v1.ServiceFacts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mailcert host}: the fleet and one host's facts, bindings, conditions and drift. */
@Command(name = "host", description = "The fleet: hosts, their state and bindings.")
final class HostCommand {
    @ParentCommand
    MailcertCli cli;

    /** {@code host list}. */
    @Command(name = "list", description = "List hosts: state, sync state, connection, last seen, applied and desired"
            + " version, mail software.")
    int list() throws CliException {
        ListHostsResponse response = cli.client().call().listHosts(ListHostsRequest.getDefaultInstance());
        cli.output().print(response, () -> {
            Table table = Table.columns("HOST", "STATE", "SYNC", "CONNECTED", "LAST SEEN", "APPLIED", "DESIRED", "AGENT",
                    "SOFTWARE", "OS");
            for (Host h : response.getHostsList()) {
                table.row(h.getFqdn(), Formats.name(h.getState()), h.getSyncState(), Formats.yesNo(h.getConnected()),
                        Formats.time(h.getLastSeen()), Long.toString(h.getAppliedVersion()),
                        Long.toString(h.getDesiredVersion()), h.getFacts().getAgentVersion(),
                        softwareNames(h.getFacts()), h.getFacts().getOs());
            }
            return table.render();
        });
        return 0;
    }

    /** {@code host show FQDN}. */
    @Command(name = "show", description = "Show one host: facts, mail software, discovered and uncovered domains,"
            + " state, sync state, versions, connection, its bindings, and what its agent last reported: drift mode,"
            + " outcome, host and binding conditions, drift items.")
    int show(@Parameters(paramLabel = "FQDN", description = "The host's fully qualified name.") String fqdn)
            throws CliException {
        HostDetail response = cli.client().call().getHost(GetHostRequest.newBuilder().setHost(fqdn).build());
        cli.output().print(response, () -> render(response));
        return 0;
    }

    /** {@code host revoke FQDN}. */
    @Command(name = "revoke", description = "Cut a host off: its agent's stream is closed and it cannot reconnect.")
    int revoke(@Parameters(paramLabel = "FQDN", description = "The host's fully qualified name.") String fqdn)
            throws CliException {
        HostDetail response = cli.client().call().revokeHost(RevokeHostRequest.newBuilder().setHost(fqdn).build());
        cli.output().print(response, () -> render(response));
        return 0;
    }

    private static String render(HostDetail detail) {
        Host h = detail.getHost();
        HostFacts f = h.getFacts();
        String sync = h.getState() != HostState.HOST_STATE_ENROLLED ? ""
                : h.getAppliedVersion() == h.getDesiredVersion() ? " (in sync)" : " (behind)";
        Table facts = Table.keyValue()
                .row("host", h.getFqdn())
                .row("id", h.getId())
                .row("state", Formats.name(h.getState()))
                .row("connected", Formats.yesNo(h.getConnected()))
                .row("last seen", Formats.time(h.getLastSeen()))
                .row("created", Formats.time(h.getCreated()))
                .row("desired version", Long.toString(h.getDesiredVersion()))
                .row("applied version", h.getAppliedVersion() + sync)
                .row("last error", h.getLastError())
                .row("sync state", h.getSyncState())
                .row("drift mode", Formats.name(h.getMode()))
                .row("last report", Formats.time(h.getLastReport()))
                .row("last outcome", Formats.words(h.getLastOutcome()))
                .row("drift items", h.hasLastReport() ? h.getDriftItems() + " outstanding" : "")
                .row("os", f.getOs())
                .row("agent", f.getAgentVersion())
                .row("software", Formats.map(f.getSoftwareMap(), " "))
                .row("sni", Formats.name(f.getSni()))
                .row("mail domains", Formats.list(h.getDiscoveredDomainsList()))
                .row("uncovered domains", Formats.list(h.getUncoveredDomainsList()))
                .row("problems", String.join("; ", f.getProblemsList()))
                .row("labels", Formats.map(h.getLabelsMap(), "="));
        return facts.render() + "\n" + services(f.getServicesList()) + bindings(detail.getBindingsList())
                + conditions(h.getConditionsList(), detail.getBindingConditionsList()) + drift(detail.getDriftList());
    }

    /** The host's and then each binding's conditions, after a blank line; nothing when none was reported. */
    private static String conditions(List<Condition> host, List<BindingConditions> bindings) {
        if (host.isEmpty() && bindings.isEmpty()) {
            return "";
        }
        Table table = Table.columns("CONDITION OF", "TYPE", "STATUS", "REASON", "SINCE", "MESSAGE");
        host.forEach(c -> row(table, "host", c));
        for (BindingConditions b : bindings) {
            b.getConditionsList().forEach(c -> row(table, b.getId(), c));
        }
        return "\n" + table.render();
    }

    private static void row(Table table, String of, Condition c) {
        table.row(of, c.getType(), c.getStatus(), c.getReason(), Formats.time(c.getLastTransitionTime()), c.getMessage());
    }

    /** The drift items of the last report, after a blank line; nothing when there are none. */
    private static String drift(List<DriftItem> items) {
        if (items.isEmpty()) {
            return "";
        }
        Table table = Table.columns("BINDING", "REASON", "TARGET", "ACTION", "SINCE", "MESSAGE");
        for (DriftItem i : items) {
            table.row(i.getSubject(), i.getReason(), i.getTarget(), Formats.action(i.getAction()),
                    Formats.time(i.getSince()), i.getMessage());
        }
        return "\n" + table.render();
    }

    /** The software names of a host, in the order its agent reported them, for the listing. */
    private static String softwareNames(HostFacts f) {
        if (f.getServicesCount() == 0) {
            return Formats.list(new TreeSet<>(f.getSoftwareMap().keySet()));
        }
        return Formats.list(f.getServicesList().stream().map(ServiceFacts::getSoftware).distinct().toList());
    }

    /** One row per inspected mail software, then a blank line; nothing when none was inspected. */
    private static String services(List<ServiceFacts> services) {
        if (services.isEmpty()) {
            return "";
        }
        Table table = Table.columns("SOFTWARE", "VERSION", "PER-DOMAIN SNI", "TLS PORTS", "PROBLEMS");
        for (ServiceFacts s : services) {
            table.row(s.getSoftware(), s.getVersion(), Formats.yesNo(s.getPerDomainSni()),
                    Formats.list(s.getEndpointsList().stream().map(e -> e.getService() + " " + e.getPort()).toList()),
                    String.join("; ", s.getProblemsList()));
        }
        return table.render() + "\n";
    }

    private static String bindings(List<Binding> bindings) {
        if (bindings.isEmpty()) {
            return "No bindings; add one with: mailcert bind HOST server CERT\n";
        }
        Table table = Table.columns("SCOPE", "DOMAIN", "SERVED NAME", "CERTIFICATE", "STATE", "WARNINGS");
        for (Binding b : bindings) {
            table.row(Formats.name(b.getScope()), b.getDomain(), b.getServedName(), b.getCertificate(), b.getState(),
                    Formats.warnings(b.getWarningsList()));
        }
        return table.render();
    }
}
