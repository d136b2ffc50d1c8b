package org.mailcert.agent.drift;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.common.pki.TrustResult;

/**
 * The drift checks: a list of small named checks, each with its {@link Reason}, run over what the
 * targets observed (cert-manager's trigger policies are the model). A check adds an item for each
 * difference it finds and nothing when all is as desired; none of them touches the host, so the
 * same list serves {@code enforce} and {@code report} mode. Served certificates come only from
 * live handshakes ({@link Observed.Served}), never from reading files.
 */
public final class DriftChecks {
    /**
     * What every check is given.
     *
     * @param memo each certificate's facts and trust, worked out once per certificate
     */
    public record Inputs(Observed.Host host, DriftPolicy policy, CertificateMemo memo, Instant now) {
        /** Refuses nulls. */
        public Inputs {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(memo, "memo");
            Objects.requireNonNull(now, "now");
        }

        /** Inputs whose certificates are worked out afresh ({@code trust} empty: trust is not judged). */
        public Inputs(Observed.Host host, DriftPolicy policy, Optional<TrustChecker> trust, Instant now) {
            this(host, policy, new CertificateMemo(trust), now);
        }
    }

    /** A check of one binding as one target observed it. */
    @FunctionalInterface
    interface BindingCheck {
        void check(Observed.OfBinding o, Inputs in, List<DriftItem> out);
    }

    /** A check of the host as a whole. */
    @FunctionalInterface
    interface HostCheck {
        void check(Inputs in, List<DriftItem> out);
    }

    /** A named check of one binding. */
    record Named(Reason reason, BindingCheck check) {
    }

    /** A named check of the host. */
    record NamedHost(Reason reason, HostCheck check) {
    }

    /** The checks of each binding, in the order their items are reported. */
    static final List<Named> BINDING_CHECKS = List.of(
            new Named(Reason.FILE_MISSING, DriftChecks::fileMissing),
            new Named(Reason.FILE_CHANGED, DriftChecks::fileChanged),
            new Named(Reason.KEY_PERMISSIONS_WRONG, DriftChecks::keyPermissionsWrong),
            new Named(Reason.SERVED_MISMATCH, DriftChecks::servedMismatch),
            new Named(Reason.NAME_MISMATCH, DriftChecks::nameMismatch));

    /** The checks of the host, after those of the bindings. */
    static final List<NamedHost> HOST_CHECKS = List.of(
            new NamedHost(Reason.CONFIG_EDITED, DriftChecks::configEdited),
            new NamedHost(Reason.EXPIRED, DriftChecks::expired),
            new NamedHost(Reason.EXPIRING, DriftChecks::expiring),
            new NamedHost(Reason.UNTRUSTED, DriftChecks::untrusted),
            new NamedHost(Reason.SERVER_CERTIFICATE_INVALID, DriftChecks::serverCertificateInvalid),
            new NamedHost(Reason.UNSUPPORTED_ON_THIS_SERVER, DriftChecks::unsupportedOnThisServer),
            new NamedHost(Reason.DOMAIN_UNCOVERED, DriftChecks::domainUncovered));

    private DriftChecks() {
    }

    /** Every difference, in check order; empty when the host is in sync. */
    public static List<DriftItem> run(Inputs in) {
        List<DriftItem> out = new ArrayList<>();
        for (Observed.OfBinding o : in.host().bindings()) {
            for (Named c : BINDING_CHECKS) {
                c.check().check(o, in, out);
            }
        }
        for (NamedHost c : HOST_CHECKS) {
            c.check().check(in, out);
        }
        return out;
    }

    static void fileMissing(Observed.OfBinding o, Inputs in, List<DriftItem> out) {
        for (Observed.File f : o.files()) {
            if (f.found().isEmpty()) {
                out.add(item(Reason.FILE_MISSING, o, f.path() + " is missing"));
            }
        }
    }

    static void fileChanged(Observed.OfBinding o, Inputs in, List<DriftItem> out) {
        for (Observed.File f : o.files()) {
            if (f.found().isEmpty() || f.found().get().sha256().equals(f.expectedSha256())) {
                continue;
            }
            String found = f.found().get().sha256();
            out.add(item(Reason.FILE_CHANGED, o, f.path() + (found.equals(Observed.Found.UNREADABLE)
                    ? " cannot be read"
                    : " holds other content than was installed (sha256:" + abbreviated(found) + ", installed sha256:"
                            + abbreviated(f.expectedSha256()) + ")")));
        }
    }

    static void keyPermissionsWrong(Observed.OfBinding o, Inputs in, List<DriftItem> out) {
        for (Observed.File f : o.files()) {
            if (f.secret() && f.found().isPresent() && !f.found().get().ownerOnly()) {
                out.add(item(Reason.KEY_PERMISSIONS_WRONG, o, f.path() + " holds a private key and users who should"
                        + " not can read it (the agent's own key files are 0600; qmail's and Courier's may be read by"
                        + " their group, never by others)"));
            }
        }
    }

    static void servedMismatch(Observed.OfBinding o, Inputs in, List<DriftItem> out) {
        String desired = o.binding().leafSha256();
        for (Observed.Served s : o.served()) {
            if (s.leaf().isEmpty()) {
                out.add(item(Reason.SERVED_MISMATCH, o, s.describe() + ": no certificate (" + s.error() + ")"));
                continue;
            }
            String served = Fingerprints.sha256Hex(s.leaf().get());
            if (!served.equals(desired)) {
                out.add(item(Reason.SERVED_MISMATCH, o, s.describe() + " serves sha256:" + abbreviated(served) + " ("
                        + s.leaf().get().getSubjectX500Principal().getName() + "), desired sha256:" + abbreviated(desired)));
            }
        }
    }

    static void nameMismatch(Observed.OfBinding o, Inputs in, List<DriftItem> out) {
        for (Observed.Served s : o.served()) {
            if (s.leaf().isPresent() && s.sni().isPresent() && !CertificateFacts.of(s.leaf().get()).covers(s.sni().get())) {
                out.add(item(Reason.NAME_MISMATCH, o, s.describe() + " serves a certificate that does not cover "
                        + s.sni().get()));
            }
        }
    }

    static void configEdited(Inputs in, List<DriftItem> out) {
        for (Observed.Config c : in.host().configs()) {
            if (c.found().isEmpty()) {
                out.add(new DriftItem(Reason.CONFIG_EDITED, DriftItem.HOST, c.target(), c.item() + " was removed"));
            } else if (!c.found().get().equals(c.expected())) {
                out.add(new DriftItem(Reason.CONFIG_EDITED, DriftItem.HOST, c.target(), c.item() + " was changed"));
            }
        }
    }

    static void expired(Inputs in, List<DriftItem> out) {
        for (Binding b : desired(in)) {
            CertificateFacts f = in.memo().facts(b);
            if (f.expiredAt(in.now())) {
                out.add(new DriftItem(Reason.EXPIRED, b.id(), "", "certificate " + b.certificate() + " v"
                        + b.certificateVersion() + " expired at " + f.notAfter()));
            }
        }
    }

    static void expiring(Inputs in, List<DriftItem> out) {
        for (Binding b : desired(in)) {
            CertificateFacts f = in.memo().facts(b);
            Instant from = in.policy().expiringFrom(f.notBefore(), f.notAfter());
            if (!f.expiredAt(in.now()) && !in.now().isBefore(from)) {
                out.add(new DriftItem(Reason.EXPIRING, b.id(), "", "certificate " + b.certificate() + " v"
                        + b.certificateVersion() + " expires at " + f.notAfter()));
            }
        }
    }

    static void untrusted(Inputs in, List<DriftItem> out) {
        if (!in.memo().judgesTrust()) {
            return;
        }
        for (Binding b : desired(in)) {
            Optional<TrustResult> judged = in.memo().trust(b, in.now());
            if (judged.isEmpty()) {
                continue;
            }
            TrustResult r = judged.get();
            if (!r.trusted()) {
                out.add(new DriftItem(Reason.UNTRUSTED, b.id(), "", "certificate " + b.certificate() + " v"
                        + b.certificateVersion() + " does not verify: " + r.problem()));
            }
        }
    }

    static void serverCertificateInvalid(Inputs in, List<DriftItem> out) {
        Optional<Binding> server = in.host().server();
        if (server.isEmpty() || Observed.mail(in.host().bindings()).isEmpty()) {
            return;
        }
        Binding b = server.get();
        String why = null;
        if (in.memo().facts(b).expiredAt(in.now())) {
            why = "has expired";
        } else if (in.memo().judgesTrust()) {
            why = in.memo().trust(b, in.now()).filter(r -> !r.trusted())
                    .map(r -> "does not verify (" + r.problem() + ")").orElse(null);
        }
        if (why != null) {
            out.add(new DriftItem(Reason.SERVER_CERTIFICATE_INVALID, DriftItem.HOST, "", "the server-wide certificate "
                    + b.certificate() + " " + why + ": clients without SNI, and clients of every domain on a"
                    + " server that cannot serve per-domain certificates, get an invalid certificate"));
        }
    }

    static void unsupportedOnThisServer(Inputs in, List<DriftItem> out) {
        Set<String> noSni = in.host().noSniTargets();
        if (noSni.isEmpty()) {
            return;
        }
        for (Binding b : Observed.mail(in.host().bindings())) {
            for (String target : noSni.stream().sorted().toList()) {
                out.add(new DriftItem(Reason.UNSUPPORTED_ON_THIS_SERVER, b.id(), target, target + " cannot serve "
                        + b.servedName() + " its own certificate; its clients get the server-wide one (a SAN bundle"
                        + " naming every domain covers them)"));
            }
        }
    }

    static void domainUncovered(Inputs in, List<DriftItem> out) {
        Set<String> bound = Observed.mail(in.host().bindings()).stream().map(Binding::domain)
                .collect(Collectors.toSet());
        Optional<CertificateFacts> server = in.host().server().map(b -> in.memo().facts(b));
        for (String domain : in.host().discoveredDomains().stream().sorted().toList()) {
            String name = "mail." + domain;
            if (!bound.contains(domain) && server.map(f -> !f.covers(name)).orElse(true)) {
                out.add(new DriftItem(Reason.DOMAIN_UNCOVERED, DriftItem.HOST, "", "the host serves mail for " + domain
                        + " but no certificate covers " + name + " (bind one, or cover it in the server-wide"
                        + " certificate)"));
            }
        }
    }

    /** Every desired binding observed, once (several targets may serve the same one). */
    private static List<Binding> desired(Inputs in) {
        List<Binding> all = new ArrayList<>(in.host().bindings().stream().map(Observed.OfBinding::binding).toList());
        in.host().server().ifPresent(all::add);
        return all.stream().distinct().toList();
    }

    private static DriftItem item(Reason reason, Observed.OfBinding o, String message) {
        return new DriftItem(reason, o.binding().id(), o.target(), message);
    }

    private static String abbreviated(String sha256) {
        return sha256.length() > 16 ? sha256.substring(0, 16) : sha256;
    }
}
