package org.mailcert.controller.issuers;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.bindings.BindingService;
import org.mailcert.controller.certs.CertificateNames;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.store.Store;

/**
 * SAN bundles for hosts whose mail software cannot choose a certificate by SNI: one ACME certificate
 * naming the host FQDN and {@code mail.<d>} for each domain the host's agent discovered, bound as the
 * host's server-wide certificate. The {@link RenewalScheduler} keeps its names in step with the
 * domains ({@link #changedNames}), at most once per {@link #REORDER_EVERY} per bundle.
 *
 * <p>A host without SNI serves one certificate, so when the names exceed the limit only the first
 * {@code maxNames} (the FQDN and the first domains in order) are ordered and the rest are reported
 * as uncovered: further certificates could not be served by such a host.
 */
public final class BundleService {
    /** Names changes re-order a bundle at most this often. */
    public static final Duration REORDER_EVERY = Duration.ofHours(1);

    private final Store store;
    private final RequestService requests;
    private final BindingService bindings;

    public BundleService(Store store, RequestService requests, BindingService bindings) {
        this.store = store;
        this.requests = requests;
        this.bindings = bindings;
    }

    /**
     * A bundle's names: the FQDN first, then {@code mail.<d>} sorted; {@code uncovered} are domains
     * over the limit, {@code refused} domains that cannot be certificate names (shown display-safe).
     */
    public record Names(List<String> names, List<String> uncovered, List<String> refused) {
        public Names {
            names = List.copyOf(names);
            uncovered = List.copyOf(uncovered);
            refused = List.copyOf(refused);
        }
    }

    /** What a bundle request did: the order's outcome, the domains left out and what the admin should know. */
    public record Outcome(OrderOutcome order, Names names, List<String> warnings) {
        public Outcome {
            warnings = List.copyOf(warnings);
        }

        /** Domains the certificate does not name: over the limit, then refused. */
        public List<String> uncovered() {
            List<String> all = new ArrayList<>(names.uncovered());
            all.addAll(names.refused());
            return all;
        }
    }

    /** The names of a bundle for {@code fqdn} serving {@code domains}, at most {@code maxNames}. */
    public static Names names(String fqdn, List<String> domains, int maxNames) {
        TreeSet<String> mail = new TreeSet<>();
        List<String> refused = new ArrayList<>();
        for (String d : domains) {
            try {
                String domain = DnsNames.hostname(d == null ? "" : d);
                String name = DnsNames.hostname("mail." + domain);
                if (!name.equals(fqdn)) {
                    mail.add(name);
                }
            } catch (InvalidNameException e) {
                refused.add(DnsNames.displaySafe(String.valueOf(d)));
            }
        }
        List<String> names = new ArrayList<>(List.of(fqdn));
        List<String> uncovered = new ArrayList<>();
        for (String m : mail) {
            if (names.size() < maxNames) {
                names.add(m);
            } else {
                uncovered.add(m.substring("mail.".length()));
            }
        }
        return new Names(names, uncovered, refused);
    }

    /** The maximum names: 0 means {@link RequestService#MAX_NAMES}; else 1 to that. */
    static int maxNames(int raw) throws ControllerException {
        if (raw == 0) {
            return RequestService.MAX_NAMES;
        }
        if (raw < 1 || raw > RequestService.MAX_NAMES) {
            throw ControllerException.invalid("--max-names must be between 1 and " + RequestService.MAX_NAMES
                    + ", not " + raw);
        }
        return raw;
    }

    /** The default certificate name of a host's bundle. */
    public static String defaultName(String fqdn) {
        return "bundle-" + fqdn;
    }

    /**
     * Orders the bundle of {@code hostName} now and binds it as the host's server-wide certificate.
     * Refused when the host has a server-wide binding of another certificate, unless {@code replace}.
     *
     * @param name the certificate's name; empty for {@link #defaultName}
     * @param maxNames most names in the certificate; 0 for {@link RequestService#MAX_NAMES}
     */
    public Outcome request(Caller caller, String hostName, String name, String issuer, String keyType, int maxNames,
            boolean replace) throws ControllerException {
        String fqdn;
        try {
            fqdn = DnsNames.hostname(hostName == null ? "" : hostName);
        } catch (InvalidNameException e) {
            throw ControllerException.invalid("host name refused: " + e.getMessage());
        }
        int max = maxNames(maxNames);
        if (store.host(fqdn).isEmpty()) {
            throw ControllerException.notFound("no host named " + fqdn + "; see `mailcert host list`");
        }
        String certificate = name == null || name.isEmpty() ? defaultName(fqdn) : name;
        CertificateNames.require(certificate);
        Optional<Binding> server = store.binding(new BindingKey(fqdn, Scope.SERVER, ""));
        if (server.isPresent() && !server.get().certificate().equals(certificate) && !replace) {
            throw ControllerException.failedPrecondition("host " + fqdn + " already has server-wide certificate "
                    + server.get().certificate() + "; give --replace to replace it with the bundle " + certificate);
        }
        HostStatus status = store.hostStatus(fqdn);
        Names names = names(fqdn, status.discoveredDomains(), max);
        OrderOutcome ordered = requests.request(caller, certificate, names.names(), issuer, keyType, "", fqdn, max);
        bindings.bind(caller, fqdn, Scope.SERVER, "", certificate);
        return new Outcome(ordered, names, warnings(status, names, max));
    }

    private static List<String> warnings(HostStatus status, Names names, int max) {
        List<String> out = new ArrayList<>();
        if (status.lastSeen().isEmpty()) {
            out.add("the host's agent has not reported its domains yet: the bundle names only the FQDN and"
                    + " follows the domains once it does");
        }
        if (!names.uncovered().isEmpty()) {
            int n = names.uncovered().size();
            out.add((n == 1 ? "1 domain is" : n + " domains are") + " over the limit of " + max
                    + " names and not covered: "
                    + String.join(", ", names.uncovered()) + "; a host without SNI serves one certificate only,"
                    + " so their clients see a certificate without their name");
        }
        if (!names.refused().isEmpty()) {
            out.add("domains that cannot be certificate names were skipped: " + String.join(", ", names.refused()));
        }
        return out;
    }

    /**
     * The names {@code order} should have now, when it is a bundle whose host's reported domains no
     * longer match; empty otherwise (also while the host has never reported, or is gone).
     */
    static Optional<List<String>> changedNames(Store store, AcmeOrder order) {
        if (!order.isBundle() || store.host(order.bundleHost()).isEmpty()) {
            return Optional.empty();
        }
        HostStatus status = store.hostStatus(order.bundleHost());
        if (status.lastSeen().isEmpty()) {
            return Optional.empty();
        }
        int max = order.bundleMaxNames() > 0 ? order.bundleMaxNames() : RequestService.MAX_NAMES;
        List<String> wanted = names(order.bundleHost(), status.discoveredDomains(), max).names();
        return wanted.equals(order.domains()) ? Optional.empty() : Optional.of(wanted);
    }

    /** Whether a names change may re-order {@code order} at {@code now}: its last attempt is an hour old. */
    static boolean reorderAllowed(AcmeOrder order, Instant now) {
        return order.lastAttempt().map(t -> !t.plus(REORDER_EVERY).isAfter(now)).orElse(true);
    }
}
