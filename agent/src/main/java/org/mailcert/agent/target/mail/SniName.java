package org.mailcert.agent.target.mail;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.TargetException;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.agent.target.Scope;

/**
 * One name a per-domain ({@code mail}) binding is served for by SNI. Every binding serves its
 * served name ({@code mail.<domain>}); when its certificate also covers the bare domain or
 * {@code *.<domain>}, those are served too, so a client that uses {@code example.com} or
 * {@code imap.example.com} gets the same certificate. Each target writes the names in its own
 * syntax (Postfix keys a wildcard {@code .domain}, Dovecot {@code *.domain}).
 *
 * @param name a validated host name; for a wildcard, the domain below the wildcard label
 * @param wildcard whether this stands for any one label below {@code name}
 * @param binding the binding served for it
 */
public record SniName(String name, boolean wildcard, Binding binding) {
    /** Refuses nulls. */
    public SniName {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(binding, "binding");
    }

    /** {@code *.name} for a wildcard, else the name. */
    public String pattern() {
        return wildcard ? "*." + name : name;
    }

    /**
     * The SNI names of the {@code mail} bindings among {@code bindings}: exact names first (sorted),
     * then wildcards (sorted). A name two bindings would both claim goes to the first in that order.
     * Only names that pass {@link DnsNames#hostname} are ever returned, so none can inject syntax
     * into a map or include.
     *
     * @param target the target's name, for the exception
     * @throws TargetException listing every binding whose domain or served name is unusable
     */
    public static List<SniName> of(Collection<Binding> bindings, String target) throws TargetException {
        Map<String, SniName> exact = new java.util.TreeMap<>();
        Map<String, SniName> wild = new java.util.TreeMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        List<Binding> mail = bindings.stream().filter(b -> b.scope() == Scope.MAIL)
                .sorted((a, b) -> a.id().compareTo(b.id())).toList();
        for (Binding b : mail) {
            String domain;
            String served;
            try {
                domain = DnsNames.hostname(b.domain());
                served = DnsNames.hostname(b.servedName());
            } catch (InvalidNameException e) {
                errors.put(b.id(), "refused before any configuration was written: " + e.getMessage());
                continue;
            }
            exact.putIfAbsent(served, new SniName(served, false, b));
            for (String san : dnsNames(b.leaf())) {
                if (san.equals(domain)) {
                    exact.putIfAbsent(domain, new SniName(domain, false, b));
                } else if (san.equals("*." + domain)) {
                    wild.putIfAbsent(domain, new SniName(domain, true, b));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new TargetException(target, errors.size() + " binding(s) with an unusable name; nothing was changed",
                    errors);
        }
        List<SniName> all = new ArrayList<>(exact.values());
        all.addAll(wild.values());
        return all;
    }

    /** The certificate's DNS names, lower case. */
    static List<String> dnsNames(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable names: only the served name is used
        }
        return names;
    }
}
