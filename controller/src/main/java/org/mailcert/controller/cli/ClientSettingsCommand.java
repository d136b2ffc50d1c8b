package org.mailcert.controller.cli;

import java.util.concurrent.Callable;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.ClientSettings;
import org.mailcert.proto.v1.GetClientSettingsRequest;
import org.mailcert.proto.v1.HostClientSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code mailcert client-settings DOMAIN}: the host names mail clients should use, and why. */
@Command(name = "client-settings",
        description = "Which host names mail clients should use for IMAP, POP3, SMTP and webmail, and why.")
final class ClientSettingsCommand implements Callable<Integer> {
    @ParentCommand
    MailcertCli cli;

    @Parameters(paramLabel = "DOMAIN", description = "The mail domain, e.g. example.com.")
    String domain;

    @Override
    public Integer call() throws CliException {
        ClientSettings response =
                cli.client().call().getClientSettings(GetClientSettingsRequest.newBuilder().setDomain(domain).build());
        Output output = cli.output();
        output.print(response, () -> render(response));
        for (HostClientSettings h : response.getHostsList()) {
            h.getWarningsList().forEach(w -> output.warn(h.getHost() + ": " + w));
        }
        return 0;
    }

    private static String render(ClientSettings settings) {
        if (settings.getHostsCount() == 0) {
            return "No host serves " + settings.getDomain() + ".\n";
        }
        Table table = Table.columns("HOST", "IMAP", "POP3", "SMTP", "WEBMAIL");
        for (HostClientSettings h : settings.getHostsList()) {
            table.row(h.getHost(), h.getImap(), h.getPop3(), h.getSmtp(), h.getWebmailUrl());
        }
        StringBuilder out = new StringBuilder(table.render());
        for (HostClientSettings h : settings.getHostsList()) {
            if (h.getReasonsCount() + h.getWarningsCount() == 0) {
                continue;
            }
            Table notes = Table.keyValue();
            h.getReasonsList().forEach(r -> notes.row("why", r));
            h.getWarningsList().forEach(w -> notes.row("warning", w));
            out.append('\n').append(h.getHost()).append('\n').append(notes.render("  "));
        }
        return out.toString();
    }
}
