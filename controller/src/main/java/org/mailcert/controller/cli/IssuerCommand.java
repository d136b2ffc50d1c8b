package org.mailcert.controller.cli;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.AddIssuerRequest;
import org.mailcert.proto.v1.DnsSolver;
import org.mailcert.proto.v1.ExecHookSolver;
import org.mailcert.proto.v1.Issuer;
import org.mailcert.proto.v1.ListIssuersRequest;
import org.mailcert.proto.v1.ListIssuersResponse;
import org.mailcert.proto.v1.Rfc2136Solver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailcert issuer}: ACME issuers. Secrets (EAB HMAC, TSIG) are read from files and never printed. */
@Command(name = "issuer", description = "ACME issuers: a CA's directory, an account and how DNS-01 is proven.")
final class IssuerCommand {
    /** What {@code tsig-keygen} prints: {@code key "name" { algorithm hmac-sha256; secret "base64"; };}. */
    private static final Pattern TSIG_KEY = Pattern.compile(
            "key\\s+\"?([A-Za-z0-9._-]+)\"?\\s*\\{(.*?)\\}\\s*;", Pattern.DOTALL);
    private static final Pattern TSIG_ALGORITHM = Pattern.compile("algorithm\\s+\"?([A-Za-z0-9-]+)\"?\\s*;");
    private static final Pattern TSIG_SECRET = Pattern.compile("secret\\s+\"([A-Za-z0-9+/=]+)\"\\s*;");

    @ParentCommand
    MailcertCli cli;

    @Spec
    CommandSpec spec;

    /** A TSIG key as read from a tsig-keygen file. */
    record TsigKey(String name, String algorithm, String secret) {
        @Override
        public String toString() {
            return "TsigKey[" + name + ", " + algorithm + "]";
        }
    }

    /** {@code issuer add NAME --directory URL --email ADDR ...}. */
    @Command(name = "add", description = {
        "Add an ACME issuer and register its account (an EC P-256 key made by the controller).",
        "DNS-01 is proven by RFC 2136 dynamic update with a TSIG key (--dns rfc2136) or by a hook",
        "command (--dns exec) run with MAILCERT_ACTION, MAILCERT_DOMAIN, MAILCERT_RECORD and MAILCERT_VALUE."})
    int add(@Parameters(paramLabel = "NAME", description = "The issuer's name, e.g. letsencrypt.") String name,
            @Option(names = "--directory", required = true, paramLabel = "URL",
                    description = "The ACME directory URL, or letsencrypt or letsencrypt-staging.") String directory,
            @Option(names = "--email", required = true, paramLabel = "ADDR",
                    description = "The account's contact address.") String email,
            @Option(names = "--directory-ca", paramLabel = "FILE",
                    description = "PEM roots to trust for the directory's TLS (a private CA: step-ca, Pebble).") Path directoryCa,
            @Option(names = "--eab-kid", paramLabel = "ID", description = "External Account Binding key id.") String eabKid,
            @Option(names = "--eab-hmac-file", paramLabel = "FILE",
                    description = "File whose first line is the EAB HMAC key (base64url).") Path eabHmacFile,
            @Option(names = "--dns", required = true, paramLabel = "rfc2136|exec",
                    description = "How DNS-01 is proven: rfc2136 or exec.") String dns,
            @Option(names = "--dns-server", paramLabel = "HOST:PORT",
                    description = "rfc2136: the primary that takes dynamic updates.") String dnsServer,
            @Option(names = "--tsig-key-file", paramLabel = "FILE",
                    description = "rfc2136: the key as tsig-keygen prints it.") Path tsigKeyFile,
            @Option(names = "--dns-zone", paramLabel = "ZONE",
                    description = "rfc2136: the zone to update (default: found by SOA lookup).") String dnsZone,
            @Option(names = "--dns-hook", paramLabel = "CMD", description = "exec: the hook command.") String dnsHook)
            throws CliException {
        if ((eabKid == null) != (eabHmacFile == null)) {
            throw new ParameterException(spec.commandLine(), "--eab-kid and --eab-hmac-file go together");
        }
        AddIssuerRequest.Builder request = AddIssuerRequest.newBuilder()
                .setName(name)
                .setDirectoryUrl(directory)
                .setEmail(email)
                .setDns(solver(dns, dnsServer, tsigKeyFile, dnsZone, dnsHook));
        if (directoryCa != null) {
            request.setDirectoryCaPem(ByteString.copyFrom(cli.files().read(directoryCa, "--directory-ca")));
        }
        if (eabKid != null) {
            request.setEabKid(eabKid).setEabHmac(cli.files().firstLine(eabHmacFile, "--eab-hmac-file").strip());
        }
        Issuer response = cli.client().call().addIssuer(request.build());
        cli.output().print(response, () -> facts(response).render());
        if (!response.getAccountState().equals("registered")) {
            cli.output().warn("issuer " + response.getName() + " is stored but not registered: "
                    + response.getAccountState() + "; the next `mailcert cert request` tries again");
        }
        return 0;
    }

    private DnsSolver solver(String dns, String server, Path tsigKeyFile, String zone, String hook)
            throws CliException {
        switch (dns) {
            case "rfc2136" -> {
                if (server == null || tsigKeyFile == null || hook != null) {
                    throw new ParameterException(spec.commandLine(),
                            "--dns rfc2136 needs --dns-server HOST:PORT and --tsig-key-file FILE (and no --dns-hook)");
                }
                TsigKey key = tsigKey(new String(cli.files().read(tsigKeyFile, "--tsig-key-file"),
                        StandardCharsets.UTF_8), tsigKeyFile);
                return DnsSolver.newBuilder().setRfc2136(Rfc2136Solver.newBuilder().setServer(server)
                        .setTsigKeyName(key.name()).setTsigAlgorithm(key.algorithm()).setTsigSecret(key.secret())
                        .setZone(zone == null ? "" : zone)).build();
            }
            case "exec" -> {
                if (hook == null || server != null || tsigKeyFile != null || zone != null) {
                    throw new ParameterException(spec.commandLine(),
                            "--dns exec needs --dns-hook CMD (and no --dns-server, --tsig-key-file or --dns-zone)");
                }
                return DnsSolver.newBuilder().setExec(ExecHookSolver.newBuilder().setCommand(hook)).build();
            }
            default -> throw new ParameterException(spec.commandLine(),
                    "--dns must be rfc2136 or exec, not " + dns);
        }
    }

    /** Parses what tsig-keygen prints; the message never quotes the file (it holds the secret). */
    static TsigKey tsigKey(String text, Path file) throws CliException {
        Matcher key = TSIG_KEY.matcher(text);
        if (!key.find()) {
            throw new CliException(file + " is not a TSIG key as tsig-keygen prints it"
                    + " (key \"NAME\" { algorithm hmac-sha256; secret \"...\"; };)");
        }
        Matcher algorithm = TSIG_ALGORITHM.matcher(key.group(2));
        Matcher secret = TSIG_SECRET.matcher(key.group(2));
        if (!secret.find()) {
            throw new CliException(file + ": the key " + key.group(1) + " has no secret \"...\"; line");
        }
        return new TsigKey(key.group(1), algorithm.find() ? algorithm.group(1).toLowerCase(java.util.Locale.ROOT)
                : "hmac-sha256", secret.group(1));
    }

    /** {@code issuer list}. */
    @Command(name = "list", description = "List issuers and their account state.")
    int list() throws CliException {
        ListIssuersResponse response = cli.client().call().listIssuers(ListIssuersRequest.getDefaultInstance());
        cli.output().print(response, () -> {
            Table table = Table.columns("NAME", "DIRECTORY", "EMAIL", "DNS-01", "ACCOUNT", "PROFILES", "ARI");
            for (Issuer i : response.getIssuersList()) {
                table.row(i.getName(), i.getDirectoryUrl(), i.getEmail(), solver(i.getDns()), i.getAccountState(),
                        Formats.list(i.getProfilesList()), Formats.yesNo(i.getAri()));
            }
            return table.render();
        });
        return 0;
    }

    static Table facts(Issuer i) {
        return Table.keyValue()
                .row("name", i.getName())
                .row("directory", i.getDirectoryUrl() + (i.getDirectoryCa() ? " (private CA trusted)" : ""))
                .row("email", i.getEmail())
                .row("eab key id", i.getEabKid())
                .row("dns-01", solver(i.getDns()))
                .row("account", i.getAccountUrl())
                .row("account state", i.getAccountState())
                .row("profiles", Formats.list(i.getProfilesList()))
                .row("ari", Formats.yesNo(i.getAri()))
                .row("created", Formats.time(i.getCreated()));
    }

    static String solver(DnsSolver d) {
        return switch (d.getKindCase()) {
            case RFC2136 -> "rfc2136 " + d.getRfc2136().getServer() + " key " + d.getRfc2136().getTsigKeyName()
                    + " (" + d.getRfc2136().getTsigAlgorithm() + ")"
                    + (d.getRfc2136().getZone().isEmpty() ? "" : " zone " + d.getRfc2136().getZone());
            case EXEC -> "exec " + d.getExec().getCommand();
            case KIND_NOT_SET -> "";
        };
    }
}
