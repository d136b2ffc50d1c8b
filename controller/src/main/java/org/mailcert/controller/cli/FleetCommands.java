package org.mailcert.controller.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import org.mailcert.common.config.Durations;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.ExpiringCertificate;
import org.mailcert.proto.v1.FleetStatus;
import org.mailcert.proto.v1.GetFleetStatusRequest;
import org.mailcert.proto.v1.HostDriftItem;
import org.mailcert.proto.v1.ListDriftRequest;
import org.mailcert.proto.v1.ListDriftResponse;
import org.mailcert.proto.v1.ListExpiringRequest;
import org.mailcert.proto.v1.ListExpiringResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code mailcert status}, {@code drift} and {@code expiring}: the fleet as its agents last reported
 * it.
 */
final class FleetCommands {
    private FleetCommands() {
    }

    /** The {@code --within} option of the commands that list expiring certificates. */
    static final class Window {
        @Option(names = "--within", paramLabel = "DURATION", converter = Durations.PositiveConverter.class,
                description = "Count certificates ending within this long as expiring, e.g. 7d, 12h"
                        + " (default: the controller's, 30d).")
        Duration within;

        /** The window in whole seconds (at least 1), or 0 for the controller's default. */
        long seconds() {
            return within == null ? 0 : Math.max(1, within.toSeconds());
        }
    }

    /** {@code status [--within 30d]}. */
    @Command(name = "status", description = "Fleet overview: hosts connected, in sync, drifting, failing, pending;"
            + " outstanding drift by reason; certificates expiring.")
    static final class Status implements Callable<Integer> {
        @ParentCommand
        MailcertCli cli;

        @Mixin
        Window window;

        @Override
        public Integer call() throws CliException {
            FleetStatus response = cli.client().call().getFleetStatus(GetFleetStatusRequest.newBuilder()
                    .setExpiringWithinSeconds(window.seconds()).build());
            cli.output().print(response, () -> render(response));
            return 0;
        }

        private static String render(FleetStatus s) {
            StringBuilder out = new StringBuilder(Table.keyValue()
                    .row("hosts", Integer.toString(s.getHosts()))
                    .row("connected", Integer.toString(s.getConnected()))
                    .row("in sync", Integer.toString(s.getInSync()))
                    .row("drifting", Integer.toString(s.getDrifting()))
                    .row("failing", Integer.toString(s.getFailing()))
                    .row("pending", Integer.toString(s.getPending()))
                    .row("revoked", Integer.toString(s.getRevoked()))
                    .render()).append('\n');
            if (s.getDriftByReasonCount() == 0) {
                out.append("No outstanding drift.\n");
            } else {
                Table drift = Table.columns("DRIFT REASON", "ITEMS");
                new java.util.TreeMap<>(s.getDriftByReasonMap())
                        .forEach((reason, n) -> drift.row(reason, Integer.toString(n)));
                out.append(drift.render());
            }
            String within = Formats.window(s.getExpiringWithinSeconds());
            out.append('\n');
            if (s.getExpiringCount() == 0) {
                out.append("No bound certificate ends within ").append(within).append(".\n");
            } else {
                out.append("Certificates ending within ").append(within).append(":\n")
                        .append(expiringTable(s.getExpiringList()));
            }
            return out.toString();
        }
    }

    /** {@code drift [--host FQDN]}. */
    @Command(name = "drift", description = {
        "Every drift item the agents last reported, of one host or all.",
        "ACTION is what the agent did: repaired, would change (report mode), repair failed, or reported",
        "(nothing to repair, e.g. Expiring); SINCE is when the agent first saw the item."})
    static final class Drift implements Callable<Integer> {
        @ParentCommand
        MailcertCli cli;

        @Option(names = "--host", paramLabel = "FQDN", description = "Only this host's items.")
        String host;

        @Override
        public Integer call() throws CliException {
            ListDriftResponse response = cli.client().call()
                    .listDrift(ListDriftRequest.newBuilder().setHost(host == null ? "" : host).build());
            cli.output().print(response, () -> {
                Table table = Table.columns("HOST", "BINDING", "REASON", "ACTION", "SINCE", "MESSAGE");
                for (HostDriftItem d : response.getItemsList()) {
                    var i = d.getItem();
                    table.row(d.getHost(), i.getSubject(), i.getReason(), Formats.action(i.getAction()),
                            Formats.time(i.getSince()), i.getMessage());
                }
                return table.render();
            });
            return 0;
        }
    }

    /** {@code expiring [--within 30d]}. */
    @Command(name = "expiring", description = "Bound certificates ending within a window (or ended) and the hosts"
            + " that serve them, soonest first.")
    static final class Expiring implements Callable<Integer> {
        @ParentCommand
        MailcertCli cli;

        @Mixin
        Window window;

        @Override
        public Integer call() throws CliException {
            ListExpiringResponse response = cli.client().call()
                    .listExpiring(ListExpiringRequest.newBuilder().setWithinSeconds(window.seconds()).build());
            cli.output().print(response, () -> expiringTable(response.getCertificatesList()));
            return 0;
        }
    }

    private static String expiringTable(java.util.List<ExpiringCertificate> certificates) {
        Table table = Table.columns("CERTIFICATE", "VERSION", "NOT AFTER", "DAYS LEFT", "HOSTS");
        for (ExpiringCertificate c : certificates) {
            table.row(c.getName(), Integer.toString(c.getVersion()), Formats.time(c.getNotAfter()),
                    Formats.daysLeft(c.getDaysLeft()), Formats.list(c.getHostsList()));
        }
        return table.render();
    }
}
