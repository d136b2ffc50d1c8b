package org.mailcert.agent.target.keychain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.mail.SniName;

/** How the qmail and Courier targets pick their bindings out of a desired set. */
public final class BindingRules {
    private BindingRules() {
    }

    /**
     * The one server-wide binding, if any.
     *
     * @throws TargetException if several server-wide bindings want different certificates
     */
    public static Optional<Binding> server(List<Binding> desired, String target) throws TargetException {
        List<Binding> servers = desired.stream().filter(b -> b.scope() == Scope.SERVER).toList();
        if (servers.stream().map(Binding::leafSha256).distinct().count() > 1) {
            Map<String, String> errors = new LinkedHashMap<>();
            for (Binding b : servers) {
                errors.put(b.id(), servers.size() + " server-wide bindings want different certificates");
            }
            throw new TargetException(target, "conflicting server-wide bindings; nothing was changed", errors);
        }
        return servers.stream().findFirst();
    }

    /** The per-domain bindings. */
    public static List<Binding> mail(List<Binding> desired) {
        return desired.stream().filter(b -> b.scope() == Scope.MAIL).toList();
    }

    /**
     * Refuses every per-domain binding of a software that serves no per-domain certificates here,
     * with the advice to use the server name instead (the controller's rule for qmail and Courier).
     *
     * @param why one phrase saying why there is no SNI support
     * @throws TargetException always, with one error per binding, nothing written
     */
    public static void refuseMail(List<Binding> mail, String target, String why, Optional<Binding> server)
            throws TargetException {
        String serverName = server.map(Binding::servedName).orElse("the server's host name");
        Map<String, String> errors = new LinkedHashMap<>();
        for (Binding b : mail) {
            errors.put(b.id(), target + " on this host cannot serve a per-domain certificate for " + b.servedName()
                    + " (" + why + "); mail clients of " + b.domain() + " should connect to " + serverName
                    + ", which the server-wide certificate covers");
        }
        throw new TargetException(target, mail.size() + " per-domain binding(s) refused: no SNI support ("
                + why + "); nothing was changed", errors);
    }

    /**
     * The exact SNI names of the per-domain bindings, validated by {@link SniName#of}; wildcard
     * names are left out: couriertls 1.0.16 never looks up a {@code *.} file name (it tries the SNI
     * name, then its parent domains: {@code a.b.example.com}, {@code b.example.com}, {@code
     * example.com}; checked by handshake), and sagredo's qmail is not documented to match wildcards.
     *
     * @throws TargetException listing the bindings whose names are unusable
     */
    public static List<SniName> exactNames(List<Binding> desired, String target) throws TargetException {
        return SniName.of(desired, target).stream().filter(n -> !n.wildcard()).toList();
    }
}
