package org.mailcert.controller.cli;

import org.mailcert.common.config.Durations;

import java.time.Duration;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.CreateJoinTokenResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code mailcert token}: join tokens that let a host's agent enroll. */
@Command(name = "token", description = "Join tokens for enrolling a host's agent.")
final class TokenCommand {
    @ParentCommand
    MailcertCli cli;

    /** {@code token create --host FQDN [--ttl 1h]}. */
    @Command(name = "create", description = {
        "Print a single-use join token for the host, carrying the controller CA's SHA-256 pin.",
        "Declares the host (pending enrollment) when it is new. The token is the last line of the output."})
    int create(
            @Option(names = "--host", required = true, paramLabel = "FQDN", description = "The host's fully qualified name.")
            String host,
            @Option(names = "--ttl", paramLabel = "DURATION", converter = Durations.PositiveConverter.class,
                    description = "How long the token is valid, e.g. 30m, 1h, 7d (default: the controller's, 1h).")
            Duration ttl) throws CliException {
        CreateJoinTokenRequest request = CreateJoinTokenRequest.newBuilder()
                .setHost(host)
                .setTtlSeconds(ttl == null ? 0 : ttl.toSeconds())
                .build();
        CreateJoinTokenResponse response = cli.client().call().createJoinToken(request);
        cli.output().print(response, () -> render(response));
        return 0;
    }

    private static String render(CreateJoinTokenResponse r) {
        Table facts = Table.keyValue()
                .row("host", r.getHost() + (r.getHostCreated() ? " (declared now, pending enrollment)" : ""))
                .row("expires", Formats.time(r.getExpires()))
                .row("ca sha256", r.getCaSha256())
                .row("enroll", "on the host: mailcert-agent enroll --controller HOST:PORT --token TOKEN")
                .row("token", "single use, shown once, on the next line:");
        return facts.render() + r.getToken() + "\n";
    }
}
