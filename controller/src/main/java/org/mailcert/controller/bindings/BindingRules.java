package org.mailcert.controller.bindings;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.ServiceFacts;
import org.mailcert.controller.model.SniSupport;

/**
 * The rules of DESIGN.md that every binding write is checked against: a list of small named
 * checks, each returning a finding that refuses the binding or keeps a warning on it.
 */
public final class BindingRules {

    /** One named rule. */
    @FunctionalInterface
    interface Check {
        Optional<Finding> check(BindingContext ctx);
    }

    private static final List<Check> CHECKS = List.of(
            BindingRules::nameCovered,
            BindingRules::keyMatches,
            BindingRules::chainInOrder,
            BindingRules::notExpired,
            BindingRules::alreadyValid,
            BindingRules::trusted,
            BindingRules::sniSupported,
            BindingRules::serverCertificateValid);

    private BindingRules() {
    }

    /** Runs every check and collects the findings. */
    public static Verdict evaluate(BindingContext ctx) {
        List<Finding> findings = new ArrayList<>();
        for (Check c : CHECKS) {
            c.check(ctx).ifPresent(findings::add);
        }
        return new Verdict(findings);
    }

    static Optional<Finding> nameCovered(BindingContext ctx) {
        String name = ctx.servedName();
        if (ctx.certificate().covers(name)) {
            return Optional.empty();
        }
        return Optional.of(Finding.refuse(RuleReason.NAME_NOT_COVERED, "certificate " + ctx.certificate().version().name()
                + " does not cover " + name + " (it covers " + String.join(", ", ctx.certificate().facts().names())
                + "); a " + scopeWord(ctx.binding().scope()) + " binding needs a certificate for " + name));
    }

    static Optional<Finding> keyMatches(BindingContext ctx) {
        if (ctx.check().keyMatches()) {
            return Optional.empty();
        }
        return Optional.of(Finding.refuse(RuleReason.KEY_MISMATCH, "the private key of certificate "
                + ctx.certificate().version().name() + " does not match its leaf; re-import it with the right key"));
    }

    static Optional<Finding> chainInOrder(BindingContext ctx) {
        return ctx.check().chainProblem().map(problem -> Finding.refuse(RuleReason.CHAIN_OUT_OF_ORDER,
                "the chain of certificate " + ctx.certificate().version().name() + " " + problem + "; re-import it"));
    }

    static Optional<Finding> notExpired(BindingContext ctx) {
        if (!ctx.certificate().expired()) {
            return Optional.empty();
        }
        return Optional.of(Finding.refuse(RuleReason.EXPIRED, "certificate " + ctx.certificate().version().name()
                + " expired on " + ctx.certificate().facts().notAfter() + "; import or request a current one"));
    }

    static Optional<Finding> alreadyValid(BindingContext ctx) {
        var facts = ctx.certificate().facts();
        if (!facts.notYetValidAt(ctx.certificate().at())) {
            return Optional.empty();
        }
        return Optional.of(Finding.warn(RuleReason.NOT_YET_VALID, "certificate " + ctx.certificate().version().name()
                + " is not valid before " + facts.notBefore() + "; clients will refuse it until then"));
    }

    static Optional<Finding> trusted(BindingContext ctx) {
        var a = ctx.certificate();
        if (a.trust().trusted()) {
            return Optional.empty();
        }
        if (a.facts().selfSigned()) {
            return Optional.of(Finding.warn(RuleReason.SELF_SIGNED, "certificate " + a.version().name()
                    + " is self-signed: mail clients will warn that " + ctx.servedName() + " is untrusted"));
        }
        return Optional.of(Finding.warn(RuleReason.UNTRUSTED, "certificate " + a.version().name()
                + " is not trusted (" + a.trust().problem() + "): mail clients will warn about " + ctx.servedName()));
    }

    /**
     * Refuses a MAIL binding on a host whose mail software cannot serve per-domain certificates,
     * naming that software and advising the server name instead. A host whose SNI support is
     * unknown (no agent report yet, or no mail software inspected) is not refused.
     */
    static Optional<Finding> sniSupported(BindingContext ctx) {
        if (ctx.binding().scope() != Scope.MAIL) {
            return Optional.empty();
        }
        List<ServiceFacts> without = ctx.facts().withoutPerDomainSni();
        if (ctx.facts().sni() != SniSupport.NO && without.isEmpty()) {
            return Optional.empty();
        }
        String h = ctx.host().fqdn();
        String d = ctx.binding().domain();
        String why = without.isEmpty() ? "its mail software serves only the server-wide certificate"
                : without.stream().map(BindingRules::whyNoSni).collect(Collectors.joining("; "));
        return Optional.of(Finding.refuse(RuleReason.SNI_UNSUPPORTED, "host " + h
                + " cannot serve per-domain certificates (" + why + "); bind a server certificate that covers " + h
                + " and have clients of " + d + " use " + h + ", or bind as the server certificate one whose SANs"
                + " also cover mail." + d + " (a SAN bundle)"));
    }

    private static String whyNoSni(ServiceFacts s) {
        String hint = s.software().equals("postfix") ? ", per-domain certificates need Postfix 3.4 or later" : "";
        return s.label() + " serves only the server-wide certificate" + hint;
    }

    static Optional<Finding> serverCertificateValid(BindingContext ctx) {
        if (ctx.binding().scope() != Scope.MAIL) {
            return Optional.empty();
        }
        String h = ctx.host().fqdn();
        String why = ctx.server().map(s -> s.problemFor(h)).orElse("host " + h + " has no server binding");
        if (why.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Finding.warn(RuleReason.SERVER_CERTIFICATE_INVALID, "per-domain certificates only help once"
                + " the server certificate is valid: " + why));
    }

    private static String scopeWord(Scope scope) {
        return scope.name().toLowerCase();
    }
}
