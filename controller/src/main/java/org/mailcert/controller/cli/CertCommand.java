package org.mailcert.controller.cli;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.AcmeStatus;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.CertificateDetail;
import org.mailcert.proto.v1.CertificateSummary;
import org.mailcert.proto.v1.CertificateVersion;
import org.mailcert.proto.v1.DeleteCertificateRequest;
import org.mailcert.proto.v1.DeleteCertificateResponse;
import org.mailcert.proto.v1.GetCertificateRequest;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.ImportCertificateResponse;
import org.mailcert.proto.v1.ListCertificatesRequest;
import org.mailcert.proto.v1.ListCertificatesResponse;
import org.mailcert.proto.v1.RequestCertificateRequest;
import org.mailcert.proto.v1.RequestCertificateResponse;
import org.mailcert.proto.v1.RequestHostBundleRequest;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailcert cert}: named, versioned certificates. Never prints a private key. */
@Command(name = "cert", description = "Certificates: import, request (ACME), list, show, delete.",
        subcommands = CertCommand.Import.class)
final class CertCommand {
    /** The environment variable holding a PKCS#12 password when no --password-file is given. */
    static final String ENV_PKCS12_PASSWORD = "MAILCERT_PKCS12_PASSWORD";

    @ParentCommand
    MailcertCli cli;

    @Spec
    CommandSpec spec;

    /** {@code cert list}. */
    @Command(name = "list", description = "List certificates: names covered, issuer, expiry, trust, versions, where used.")
    int list() throws CliException {
        ListCertificatesResponse response =
                cli.client().call().listCertificates(ListCertificatesRequest.getDefaultInstance());
        cli.output().print(response, () -> {
            Table table = Table.columns("NAME", "VERSION", "NAMES COVERED", "ISSUER", "EXPIRES", "TRUST", "VERSIONS", "USED BY");
            for (CertificateSummary s : response.getCertificatesList()) {
                CertificateVersion v = s.getLatest();
                table.row(v.getName(), Integer.toString(v.getVersion()), Formats.list(v.getDnsNamesList()),
                        Formats.commonName(v.getIssuer()), Formats.time(v.getNotAfter()), Formats.trust(v),
                        Integer.toString(s.getVersions()), Integer.toString(s.getUsedByCount()));
            }
            return table.render();
        });
        return 0;
    }

    /** {@code cert show NAME}. */
    @Command(name = "show", description = "Show every version of a certificate and the bindings that use it.")
    int show(@Parameters(paramLabel = "NAME", description = "The certificate's name.") String name)
            throws CliException {
        CertificateDetail response =
                cli.client().call().getCertificate(GetCertificateRequest.newBuilder().setName(name).build());
        cli.output().print(response, () -> render(response));
        return 0;
    }

    /** {@code cert request NAME --domains D[,D...] [--issuer NAME] [--key-type T] [--profile P]}. */
    @Command(name = "request", description = {
        "Get a certificate by ACME (DNS-01, wildcards allowed) and keep it renewed.",
        "Waits until it is issued or failed; a failed order is retried with back-off (see cert show)."})
    int request(@Parameters(paramLabel = "NAME", description = "The certificate's name, e.g. wildcard-example-com.") String name,
            @Option(names = "--domains", required = true, split = ",", paramLabel = "D",
                    description = "The names to cover, e.g. *.example.com,example.com.") List<String> domains,
            @Option(names = "--issuer", paramLabel = "NAME",
                    description = "The ACME issuer (may be left out when there is only one).") String issuer,
            @Option(names = "--key-type", paramLabel = "TYPE",
                    description = "ec256 (default), ec384, rsa2048, rsa3072 or rsa4096.") String keyType,
            @Option(names = "--profile", paramLabel = "P",
                    description = "A certificate profile the CA offers (Let's Encrypt: classic, tlsserver, shortlived).")
            String profile) throws CliException {
        RequestCertificateRequest request = RequestCertificateRequest.newBuilder()
                .setName(name)
                .addAllDomains(domains)
                .setIssuer(issuer == null ? "" : issuer)
                .setKeyType(keyType == null ? "" : keyType)
                .setProfile(profile == null ? "" : profile)
                .build();
        RequestCertificateResponse response = cli.client().call().requestCertificate(request);
        cli.output().print(response, () -> facts(response.getCertificate()).render() + "\n"
                + acme(response.getAcme()).render());
        return 0;
    }

    /**
     * {@code cert bundle HOST [--name NAME] [--issuer NAME] [--key-type T] [--max-names N] [--replace]}:
     * a SAN bundle for a host without SNI, bound as its server-wide certificate.
     */
    @Command(name = "bundle", description = {
        "Get one certificate by ACME naming the host FQDN and mail.<domain> for each domain its agent",
        "discovered, bind it as the host's server-wide certificate, and keep its names in step with the",
        "domains. For hosts whose mail software cannot choose a certificate by SNI.",
        "Refused when the host already has another server-wide certificate, unless --replace.",
        "Over --max-names only the first names are ordered (a host without SNI serves one certificate);",
        "the domains left out are listed."})
    int bundle(@Parameters(paramLabel = "HOST", description = "The host's FQDN.") String host,
            @Option(names = "--name", paramLabel = "NAME",
                    description = "The certificate's name (default bundle-HOST).") String name,
            @Option(names = "--issuer", paramLabel = "NAME",
                    description = "The ACME issuer (may be left out when there is only one).") String issuer,
            @Option(names = "--key-type", paramLabel = "TYPE",
                    description = "ec256 (default), ec384, rsa2048, rsa3072 or rsa4096.") String keyType,
            @Option(names = "--max-names", paramLabel = "N", defaultValue = "100",
                    description = "Most names in the certificate, FQDN included (default 100, Let's Encrypt's limit).")
            int maxNames,
            @Option(names = "--replace",
                    description = "Replace the host's server-wide binding of another certificate.") boolean replace)
            throws CliException {
        if (maxNames < 1 || maxNames > 100) {
            throw new ParameterException(spec.commandLine().getSubcommands().get("bundle"),
                    "--max-names must be between 1 and 100, not " + maxNames);
        }
        RequestHostBundleRequest request = RequestHostBundleRequest.newBuilder()
                .setHost(host)
                .setName(name == null ? "" : name)
                .setIssuer(issuer == null ? "" : issuer)
                .setKeyType(keyType == null ? "" : keyType)
                .setMaxNames(maxNames)
                .setReplace(replace)
                .build();
        RequestCertificateResponse response = cli.client().call().requestHostBundle(request);
        Output output = cli.output();
        output.print(response, () -> {
            Table uncovered = Table.keyValue().row("bound", host + " server")
                    .row("uncovered", response.getUncoveredDomainsList().isEmpty() ? Table.EMPTY
                            : Formats.list(response.getUncoveredDomainsList()));
            return facts(response.getCertificate()).render() + "\n" + acme(response.getAcme()).render() + "\n"
                    + uncovered.render();
        });
        response.getWarningsList().forEach(output::warn);
        return 0;
    }

    /** The ACME side of a certificate as key/value rows. */
    static Table acme(AcmeStatus a) {
        Table table = Table.keyValue()
                .row("issuer", a.getIssuer())
                .row("domains", Formats.list(a.getDomainsList()))
                .row("key type", a.getKeyType())
                .row("profile", a.getProfile().isEmpty() ? Table.EMPTY : a.getProfile())
                .row("last attempt", a.hasLastAttempt() ? Formats.time(a.getLastAttempt()) : Table.EMPTY)
                .row("result", a.getLastResult().isEmpty() ? Table.EMPTY : a.getLastResult()
                        + (a.getFailures() > 0 ? " (" + Formats.count(a.getFailures(), "failure") + " in a row)" : ""))
                .row("error", a.getLastError().isEmpty() ? Table.EMPTY : a.getErrorKind() + ": " + a.getLastError())
                .row("next attempt", Formats.time(a.getNextAttempt()) + " (" + a.getNextReason() + ")");
        return a.getBundleHost().isEmpty() ? table : table.row("bundle of", a.getBundleHost());
    }

    /** {@code cert delete NAME}. */
    @Command(name = "delete", description = "Delete a certificate and all its versions; refused while it is bound.")
    int delete(@Parameters(paramLabel = "NAME", description = "The certificate's name.") String name)
            throws CliException {
        DeleteCertificateResponse response =
                cli.client().call().deleteCertificate(DeleteCertificateRequest.newBuilder().setName(name).build());
        cli.output().print(response,
                () -> "Deleted certificate " + name + " (" + Formats.count(response.getVersionsDeleted(), "version") + ").\n");
        return 0;
    }

    /** The facts of one version as key/value rows; never the key, and not the PEM chain. */
    static Table facts(CertificateVersion v) {
        return versionFacts(Table.keyValue()
                .row("name", v.getName())
                .row("version", Integer.toString(v.getVersion())), v);
    }

    private static Table versionFacts(Table table, CertificateVersion v) {
        return table
                .row("names covered", Formats.list(v.getDnsNamesList()))
                .row("subject", v.getSubject())
                .row("issuer", v.getIssuer())
                .row("valid from", Formats.time(v.getNotBefore()))
                .row("valid until", Formats.time(v.getNotAfter()))
                .row("key", Formats.key(v))
                .row("trust", Formats.trustWithReason(v))
                .row("sha256", v.getSha256())
                .row("serial", v.getSerial())
                .row("source", Formats.name(v.getSource()))
                .row("revision", Long.toString(v.getRevision()))
                .row("created", Formats.time(v.getCreated()));
    }

    private static String render(CertificateDetail d) {
        StringBuilder out = new StringBuilder();
        out.append(Table.keyValue().row("name", d.getName())
                .row("versions", Integer.toString(d.getVersionsCount()))
                .row("used by", Formats.count(d.getUsedByCount(), "binding")).render());
        if (d.hasAcme()) {
            out.append("\nacme\n").append(acme(d.getAcme()).render("  "));
        }
        List<CertificateVersion> newestFirst = d.getVersionsList().stream()
                .sorted(Comparator.comparingInt(CertificateVersion::getVersion).reversed())
                .toList();
        for (int i = 0; i < newestFirst.size(); i++) {
            CertificateVersion v = newestFirst.get(i);
            out.append("\nversion ").append(v.getVersion()).append(i == 0 ? " (latest)" : "").append('\n');
            out.append(versionFacts(Table.keyValue(), v).render("  "));
        }
        out.append('\n');
        if (d.getUsedByCount() == 0) {
            out.append("Not bound; bind it with: mailcert bind HOST server ").append(d.getName()).append('\n');
        } else {
            Table table = Table.columns("HOST", "SCOPE", "DOMAIN", "SERVED NAME", "STATE", "WARNINGS");
            for (Binding b : d.getUsedByList()) {
                table.row(b.getHost(), Formats.name(b.getScope()), b.getDomain(), b.getServedName(), b.getState(),
                        Formats.warnings(b.getWarningsList()));
            }
            out.append(table.render());
        }
        return out.toString();
    }

    /** {@code cert import NAME (--cert FILE [--key FILE] | --pkcs12 FILE [--password-file FILE])}. */
    @Command(name = "import", description = {
        "Import a certificate: a PEM chain (leaf first) and key, or a PKCS#12 / PFX bundle.",
        "Files are read here and sent to the controller; the key may sit in the --cert file.",
        "The password of a PKCS#12 bundle or an encrypted PEM key comes from --password-file (first line),",
        "else MAILCERT_PKCS12_PASSWORD, else empty."})
    static final class Import implements java.util.concurrent.Callable<Integer> {
        @ParentCommand
        CertCommand parent;

        @Parameters(paramLabel = "NAME", description = "The certificate's name, e.g. wildcard-example-com.")
        String name;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--new-version", description = "Add a version to an existing certificate instead of refusing the name.")
        boolean newVersion;

        @Option(names = "--password-file", paramLabel = "FILE",
                description = "File whose first line is the PKCS#12 bundle's or the encrypted key's password.")
        Path passwordFile;

        /** Exactly one of PEM or PKCS#12. */
        static final class Source {
            @ArgGroup(exclusive = false)
            Pem pem;

            @ArgGroup(exclusive = false)
            Pkcs12 pkcs12;
        }

        /** The PEM files. */
        static final class Pem {
            @Option(names = "--cert", required = true, paramLabel = "FILE", description = "PEM chain, leaf first; may hold the key too.")
            Path cert;

            @Option(names = "--key", paramLabel = "FILE", description = "PEM private key, when not in the --cert file.")
            Path key;
        }

        /** The PKCS#12 bundle and its password. */
        static final class Pkcs12 {
            @Option(names = "--pkcs12", required = true, paramLabel = "FILE", description = "PKCS#12 / PFX bundle.")
            Path bundle;
        }

        @Override
        public Integer call() throws CliException {
            MailcertCli cli = parent.cli;
            ImportCertificateRequest request = request(cli);
            ImportCertificateResponse response = cli.client().call().importCertificate(request);
            Output output = cli.output();
            output.print(response, () -> facts(response.getCertificate()).render());
            response.getWarningsList().forEach(output::warn);
            return 0;
        }

        private ImportCertificateRequest request(MailcertCli cli) throws CliException {
            LocalFiles files = cli.files();
            ImportCertificateRequest.Builder request = ImportCertificateRequest.newBuilder()
                    .setName(name)
                    .setNewVersion(newVersion);
            if (source.pem != null) {
                request.setChainPem(ByteString.copyFrom(files.read(source.pem.cert, "--cert")));
                if (source.pem.key != null) {
                    request.setKeyPem(ByteString.copyFrom(files.read(source.pem.key, "--key")));
                }
            } else {
                request.setPkcs12(ByteString.copyFrom(files.read(source.pkcs12.bundle, "--pkcs12")));
            }
            return request.setPassword(password(cli)).build();
        }

        private String password(MailcertCli cli) throws CliException {
            if (passwordFile != null) {
                return cli.files().firstLine(passwordFile, "--password-file");
            }
            String fromEnv = cli.env().get(ENV_PKCS12_PASSWORD);
            return fromEnv == null ? "" : fromEnv;
        }
    }
}
