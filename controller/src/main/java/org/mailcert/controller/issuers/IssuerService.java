package org.mailcert.controller.issuers;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.acme.AcmeCa;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.certs.CertificateNames;
import org.mailcert.controller.model.DnsSolverConfig;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.IssuerSecrets;
import org.mailcert.controller.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACME issuers: adding one (checked completely, stored with its secrets sealed, then registered at
 * the CA), listing them, and registering again when an earlier registration failed. An issuer whose
 * registration failed is kept, with the failure as its account state, so {@code issuer list}
 * shows it; the next order retries the registration.
 */
public final class IssuerService {
    private static final Logger log = LoggerFactory.getLogger(IssuerService.class);
    static final Set<String> TSIG_ALGORITHMS = Set.of("hmac-sha256", "hmac-sha384", "hmac-sha512", "hmac-sha1");
    private static final Pattern EMAIL_LOCAL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}");
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    private final Store store;
    private final AcmeCa ca;

    public IssuerService(Store store, AcmeCa ca) {
        this.store = store;
        this.ca = ca;
    }

    /**
     * Adds an issuer and registers its account. A failed registration does not fail the call: the
     * issuer is returned with the failure as its account state.
     */
    public Issuer add(Caller caller, IssuerRequest r) throws ControllerException {
        String name = CertificateNames.require("issuer", r.name());
        URI directory = directory(r.directoryUrl());
        String email = email(r.email());
        String caPem = directoryCa(r.directoryCaPem());
        Optional<byte[]> eab = eab(r.eabKid(), r.eabHmac());
        DnsSolverConfig dns = dns(r.dns());
        Optional<byte[]> tsig = dns instanceof DnsSolverConfig.Rfc2136
                ? Optional.of(base64("the TSIG secret", r.tsigSecret(), Base64.getDecoder()))
                : Optional.empty();
        if (tsig.isEmpty() && r.tsigSecret() != null && !r.tsigSecret().isEmpty()) {
            throw ControllerException.invalid("a TSIG secret only goes with the rfc2136 DNS solver");
        }
        KeyPair accountKey = Keys.generate(Keys.KeyType.EC256);
        IssuerSecrets secrets = new IssuerSecrets(accountKey, eab, tsig);
        Issuer added = store.write(tx -> {
            if (store.issuer(name).isPresent()) {
                throw ControllerException.alreadyExists("issuer " + name + " exists; see `mailcert issuer list`");
            }
            Issuer issuer = new Issuer(name, directory.toString(), email, caPem, r.eabKid() == null ? "" : r.eabKid(),
                    dns, "", Issuer.UNREGISTERED, tx.now(), List.of(), false);
            tx.putIssuer(issuer, secrets);
            tx.appendEvent(Event.draft(caller.actor(), "issuer.added", "", name, "added issuer " + name + " ("
                    + directory + ", DNS-01 by " + dns.describe() + (eab.isPresent() ? ", EAB " + r.eabKid() : "") + ")"));
            return issuer;
        });
        return register(caller.actor(), added, secrets).issuer();
    }

    /** Every issuer, sorted by name. */
    public List<Issuer> list() {
        return store.issuers();
    }

    /** The issuer named {@code name}, or NOT_FOUND. */
    public Issuer get(String name) throws ControllerException {
        return store.issuer(name == null ? "" : name).orElseThrow(() -> ControllerException.notFound(
                "no issuer named " + DnsNames.displaySafe(name) + "; see `mailcert issuer list`"));
    }

    /** The issuer with its account registered, registering it now if it is not yet. */
    Issuer registered(String actor, String name) throws ControllerException, AcmeException {
        Issuer issuer = get(name);
        if (issuer.registered()) {
            return issuer;
        }
        Registration after = register(actor, issuer, store.issuerSecrets(name));
        if (after.failure().isPresent()) {
            AcmeException e = after.failure().get();
            throw new AcmeException(e.kind(), "issuer " + name + " has no account at the CA: "
                    + after.issuer().accountState(), e.retryAfter(), e);
        }
        return after.issuer();
    }

    /** The issuer after a registration attempt, and the failure if it failed. */
    private record Registration(Issuer issuer, Optional<AcmeException> failure) {
    }

    /** How to reach the issuer's CA. */
    static AcmeCa.Settings settings(Issuer issuer, IssuerSecrets secrets) {
        Optional<AcmeCa.Eab> eab = issuer.eab().flatMap(kid -> secrets.eabHmac().map(k -> new AcmeCa.Eab(kid, k)));
        return new AcmeCa.Settings(URI.create(issuer.directoryUrl()), issuer.directoryCaPem(), issuer.email(), eab);
    }

    private Registration register(String actor, Issuer issuer, IssuerSecrets secrets) throws ControllerException {
        String name = issuer.name();
        Issuer after;
        String kind;
        String message;
        Optional<AcmeException> failure = Optional.empty();
        try {
            AcmeCa.Account account = ca.register(settings(issuer, secrets), secrets.accountKey());
            after = issuer.registeredAt(account.url().toString(),
                    account.capabilities().profiles().stream().sorted().toList(), account.capabilities().ari());
            kind = "issuer.registered";
            message = "registered account " + account.url() + " at " + issuer.directoryUrl()
                    + (after.profiles().isEmpty() ? "" : "; profiles " + String.join(", ", after.profiles()))
                    + (after.ari() ? "; ARI offered" : "");
            log.info("issuer {}: registered account {}", name, account.url());
        } catch (AcmeException e) {
            String why = "registration failed (" + kindName(e.kind()) + "): " + e.getMessage();
            after = issuer.registrationFailed(why);
            kind = "issuer.registration_failed";
            message = why;
            failure = Optional.of(e);
            log.warn("issuer {}: {}", name, why);
        }
        Issuer stored = after;
        String k = kind;
        String m = message;
        store.write(tx -> {
            tx.putIssuer(stored, secrets);
            tx.appendEvent(Event.draft(actor, k, "", name, m));
            return null;
        });
        return new Registration(stored, failure);
    }

    /** An {@link AcmeException.Kind} as it appears in events, records and metrics: {@code rate_limited}. */
    static String kindName(AcmeException.Kind kind) {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /**
     * Well-known directories by short name: Let's Encrypt's production and staging ("letsencrypt-staging"
     * issues untrusted certificates under far higher rate limits: for trying a setup first).
     */
    static final Map<String, String> PRESETS = Map.of(
            "letsencrypt", "https://acme-v02.api.letsencrypt.org/directory",
            "letsencrypt-staging", "https://acme-staging-v02.api.letsencrypt.org/directory");

    /** A preset's name, https, or http to a loopback address only (a test CA on this machine). */
    static URI directory(String raw) throws ControllerException {
        String preset = raw == null ? null : PRESETS.get(raw.toLowerCase(Locale.ROOT));
        if (preset != null) {
            return URI.create(preset);
        }
        String shown = DnsNames.displaySafe(raw);
        URI uri;
        try {
            uri = new URI(raw == null ? "" : raw);
        } catch (URISyntaxException e) {
            throw ControllerException.invalid("directory URL \"" + shown + "\" is not a URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw ControllerException.invalid("directory URL \"" + shown
                    + "\" must be an https URL such as https://acme-v02.api.letsencrypt.org/directory, or one of "
                    + String.join(", ", new java.util.TreeSet<>(PRESETS.keySet())));
        }
        if (scheme.equals("http") && !LOOPBACK.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            throw ControllerException.invalid("directory URL \"" + shown
                    + "\" uses plain http; ACME needs https (http is allowed only to a loopback address)");
        }
        if (uri.getUserInfo() != null || uri.getFragment() != null) {
            throw ControllerException.invalid("directory URL \"" + shown + "\" may not hold user info or a fragment");
        }
        return uri;
    }

    static String email(String raw) throws ControllerException {
        String value = raw == null ? "" : raw;
        int at = value.lastIndexOf('@');
        if (at > 0 && EMAIL_LOCAL.matcher(value.substring(0, at)).matches()) {
            try {
                return value.substring(0, at) + "@" + DnsNames.hostname(value.substring(at + 1));
            } catch (InvalidNameException e) {
                // fall through to the common message
            }
        }
        throw ControllerException.invalid("e-mail address \"" + DnsNames.displaySafe(value)
                + "\" is not valid; give the address the CA should write to, such as admin@example.com");
    }

    private static String directoryCa(String pem) throws ControllerException {
        if (pem == null || pem.isEmpty()) {
            return "";
        }
        try {
            Pem.readCertificates(pem.getBytes(StandardCharsets.US_ASCII));
        } catch (BadMaterialException e) {
            throw ControllerException.invalid("the directory CA file is not a PEM certificate bundle: " + e.getMessage());
        }
        return pem;
    }

    private static Optional<byte[]> eab(String kid, String hmac) throws ControllerException {
        boolean hasKid = kid != null && !kid.isEmpty();
        boolean hasHmac = hmac != null && !hmac.isEmpty();
        if (hasKid != hasHmac) {
            throw ControllerException.invalid("External Account Binding needs both --eab-kid and --eab-hmac-file");
        }
        if (!hasKid) {
            return Optional.empty();
        }
        if (kid.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw ControllerException.invalid("the EAB key id may hold printable ASCII only");
        }
        String padded = hmac.strip().replace('+', '-').replace('/', '_').replace("=", "");
        return Optional.of(base64("the EAB HMAC key", padded, Base64.getUrlDecoder()));
    }

    private static byte[] base64(String what, String value, Base64.Decoder decoder) throws ControllerException {
        if (value == null || value.isBlank()) {
            throw ControllerException.invalid(what + " is missing");
        }
        byte[] out;
        try {
            out = decoder.decode(value.strip());
        } catch (IllegalArgumentException e) {
            throw ControllerException.invalid(what + " is not valid base64");
        }
        if (out.length == 0) {
            throw ControllerException.invalid(what + " is empty");
        }
        return out;
    }

    private static DnsSolverConfig dns(DnsSolverConfig dns) throws ControllerException {
        if (dns == null) {
            throw ControllerException.invalid("an issuer needs one DNS-01 solver: --dns rfc2136 or --dns exec");
        }
        if (dns instanceof DnsSolverConfig.Rfc2136 r) {
            String server = r.server() == null ? "" : r.server();
            int colon = server.lastIndexOf(':');
            try {
                String host = colon > 0 ? server.substring(0, colon) : server;
                if (!host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")) {
                    DnsNames.hostname(host);
                }
                int port = colon > 0 ? Integer.parseInt(server.substring(colon + 1)) : 53;
                if (port < 1 || port > 65535) {
                    throw new NumberFormatException();
                }
            } catch (InvalidNameException | NumberFormatException e) {
                throw ControllerException.invalid("DNS server \"" + DnsNames.displaySafe(server)
                        + "\" is not HOST:PORT (the primary that takes dynamic updates)");
            }
            String keyName = keyName(r.tsigKeyName());
            String algorithm = r.tsigAlgorithm() == null || r.tsigAlgorithm().isEmpty() ? "hmac-sha256"
                    : r.tsigAlgorithm().toLowerCase(Locale.ROOT);
            if (!TSIG_ALGORITHMS.contains(algorithm)) {
                throw ControllerException.invalid("TSIG algorithm \"" + DnsNames.displaySafe(algorithm)
                        + "\" is not supported; use hmac-sha256, hmac-sha384, hmac-sha512 or hmac-sha1");
            }
            String zone = r.zone() == null || r.zone().isEmpty() ? "" : domain("zone", r.zone());
            return new DnsSolverConfig.Rfc2136(colon > 0 ? server : server + ":53", keyName, algorithm, zone);
        }
        DnsSolverConfig.Exec e = (DnsSolverConfig.Exec) dns;
        if (e.command() == null || e.command().isBlank() || e.command().chars().anyMatch(Character::isISOControl)) {
            throw ControllerException.invalid("the DNS hook command is empty or holds control characters");
        }
        return e;
    }

    private static String keyName(String raw) throws ControllerException {
        String name = raw == null ? "" : raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw;
        if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]{1,253}")) {
            throw ControllerException.invalid("TSIG key name \"" + DnsNames.displaySafe(raw)
                    + "\" is not valid (letters, digits, '.', '-', '_')");
        }
        return name;
    }

    private static String domain(String what, String raw) throws ControllerException {
        try {
            return DnsNames.hostname(raw.endsWith(".") ? raw.substring(0, raw.length() - 1) : raw);
        } catch (InvalidNameException e) {
            throw ControllerException.invalid(what + " refused: " + e.getMessage());
        }
    }
}
