package org.mailcert.controller.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.BindResponse;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.ListBindingsRequest;
import org.mailcert.proto.v1.ListBindingsResponse;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.UnbindRequest;
import org.mailcert.proto.v1.UnbindResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailcert bind}, {@code unbind} and {@code binding list}: which certificate a host serves for a name. */
final class BindCommands {
    private BindCommands() {
    }

    /** A parsed {@code HOST SCOPE [DOMAIN]} target; domain is empty for the server scope. */
    record Target(String host, Scope scope, String domain) {
    }

    /**
     * Splits positional words into target and the rest: {@code HOST server REST...} or
     * {@code HOST mail|webmail DOMAIN REST...}, where REST has {@code extra} words.
     */
    static Target target(CommandSpec spec, List<String> words, int extra) {
        if (words.size() < 2) {
            throw new ParameterException(spec.commandLine(), "Missing HOST and scope");
        }
        Scope scope;
        try {
            scope = Formats.scope(words.get(1));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        int expected = (scope == Scope.SCOPE_SERVER ? 2 : 3) + extra;
        if (words.size() != expected) {
            String form = scope == Scope.SCOPE_SERVER ? "HOST server" : "HOST " + words.get(1) + " DOMAIN";
            throw new ParameterException(spec.commandLine(), "expected " + spec.name() + " " + form
                    + (extra == 1 ? " CERT" : "") + " but got " + words.size() + " arguments");
        }
        return new Target(words.get(0), scope, scope == Scope.SCOPE_SERVER ? "" : words.get(2));
    }

    /** The binding as key/value rows, without its warnings. */
    static Table binding(Binding b) {
        return Table.keyValue()
                .row("host", b.getHost())
                .row("scope", Formats.name(b.getScope()))
                .row("domain", b.getDomain())
                .row("served name", b.getServedName())
                .row("certificate", b.getCertificate())
                .row("state", b.getState())
                .row("revision", Long.toString(b.getRevision()))
                .row("created", Formats.time(b.getCreated()));
    }

    /** Adds one {@code warning} row per warning of the binding. */
    static Table withWarnings(Table table, Binding b) {
        b.getWarningsList().forEach(w -> table.row("warning", w));
        return table;
    }

    /** {@code bind HOST server CERT | bind HOST mail DOMAIN CERT | bind HOST webmail DOMAIN CERT}. */
    @Command(name = "bind",
            description = "Set the certificate HOST serves: server-wide, for mail.DOMAIN (SNI) or webmail.DOMAIN.",
            customSynopsis = {
                "mailcert bind HOST server CERT",
                "mailcert bind HOST mail DOMAIN CERT",
                "mailcert bind HOST webmail DOMAIN CERT"})
    static final class Bind implements Callable<Integer> {
        @ParentCommand
        MailcertCli cli;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "3..4", paramLabel = "ARG", description = "HOST, scope (server, mail, webmail), DOMAIN unless server, CERT.")
        List<String> words;

        @Override
        public Integer call() throws CliException {
            Target t = target(spec, words, 1);
            BindRequest request = BindRequest.newBuilder()
                    .setHost(t.host())
                    .setScope(t.scope())
                    .setDomain(t.domain())
                    .setCertificate(words.get(words.size() - 1))
                    .build();
            BindResponse response = cli.client().call().bind(request);
            Output output = cli.output();
            output.print(response, () -> withWarnings(binding(response.getBinding())
                    .row("replaced", Formats.yesNo(response.getReplaced())), response.getBinding()).render());
            response.getBinding().getWarningsList().forEach(output::warn);
            return 0;
        }
    }

    /** {@code unbind HOST server | unbind HOST mail DOMAIN | unbind HOST webmail DOMAIN}. */
    @Command(name = "unbind", description = "Remove a binding.",
            customSynopsis = {
                "mailcert unbind HOST server",
                "mailcert unbind HOST mail DOMAIN",
                "mailcert unbind HOST webmail DOMAIN"})
    static final class Unbind implements Callable<Integer> {
        @ParentCommand
        MailcertCli cli;

        @Spec
        CommandSpec spec;

        @Parameters(arity = "2..3", paramLabel = "ARG", description = "HOST, scope (server, mail, webmail), DOMAIN unless server.")
        List<String> words;

        @Override
        public Integer call() throws CliException {
            Target t = target(spec, words, 0);
            UnbindRequest request = UnbindRequest.newBuilder()
                    .setHost(t.host())
                    .setScope(t.scope())
                    .setDomain(t.domain())
                    .build();
            UnbindResponse response = cli.client().call().unbind(request);
            cli.output().print(response,
                    () -> "Removed binding:\n" + withWarnings(binding(response.getRemoved()), response.getRemoved()).render("  "));
            return 0;
        }
    }

    /** {@code binding list [--host FQDN]}. */
    @Command(name = "binding", description = "Desired bindings and their state.")
    static final class BindingGroup {
        @ParentCommand
        MailcertCli cli;

        @Command(name = "list", description = "List bindings with their state (pending, installed, served, failed) and warnings.")
        int list(@Option(names = "--host", paramLabel = "FQDN", description = "Only this host's bindings.") String host)
                throws CliException {
            ListBindingsResponse response = cli.client().call()
                    .listBindings(ListBindingsRequest.newBuilder().setHost(host == null ? "" : host).build());
            cli.output().print(response, () -> {
                Table table = Table.columns("HOST", "SCOPE", "DOMAIN", "SERVED NAME", "CERTIFICATE", "STATE", "WARNINGS");
                for (Binding b : response.getBindingsList()) {
                    table.row(b.getHost(), Formats.name(b.getScope()), b.getDomain(), b.getServedName(),
                            b.getCertificate(), b.getState(), Formats.warnings(b.getWarningsList()));
                }
                return table.render();
            });
            return 0;
        }
    }
}
