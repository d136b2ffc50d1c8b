package org.mailcert.controller.acme;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TSIGRecord;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Update;

/**
 * Presents DNS-01 TXT records by RFC 2136 dynamic update signed with TSIG, sent over TCP to one
 * server (BIND, Knot, PowerDNS, Windows DNS). Adding a value that is there already is a no-op;
 * cleanup deletes exactly the one value, so two validations can share a name. Thread-safe.
 */
public final class Rfc2136Solver implements DnsSolver {
    private static final Logger LOG = LoggerFactory.getLogger(Rfc2136Solver.class);

    /** TSIG algorithms accepted, by the names BIND's {@code tsig-keygen -a} uses. */
    static final Map<String, Name> ALGORITHMS = Map.of(
            "hmac-sha256", TSIG.HMAC_SHA256,
            "hmac-sha384", TSIG.HMAC_SHA384,
            "hmac-sha512", TSIG.HMAC_SHA512,
            "hmac-sha1", TSIG.HMAC_SHA1);

    /**
     * Where and how to update.
     *
     * @param server the primary server as {@code host:port}
     * @param keyName the TSIG key's name as the server knows it
     * @param algorithm one of {@code hmac-sha256} (the default), {@code hmac-sha384}, {@code hmac-sha512}, {@code hmac-sha1}
     * @param secret the TSIG key's secret (decoded; a secret, never logged)
     * @param zone the zone to update; empty to find it by asking the server for the record name's SOA
     * @param ttl the TXT records' TTL
     * @param timeout how long to wait for each answer
     */
    public record Settings(String server, String keyName, String algorithm, byte[] secret, Optional<String> zone,
            Duration ttl, Duration timeout) {
        /** The TTL when none is configured. */
        public static final Duration DEFAULT_TTL = Duration.ofSeconds(60);
        /** The timeout when none is configured. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
        /** The algorithm when none is configured. */
        public static final String DEFAULT_ALGORITHM = "hmac-sha256";

        /** Checks every value, naming the setting that is wrong. */
        public Settings {
            try {
                Delegation.unresolved(server);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("rfc2136 server " + e.getMessage());
            }
            require(keyName != null && !keyName.isBlank(), "key-name", "must not be empty");
            algorithm = algorithm == null ? DEFAULT_ALGORITHM : algorithm.toLowerCase(Locale.ROOT);
            require(ALGORITHMS.containsKey(algorithm), "algorithm",
                    "must be one of hmac-sha256, hmac-sha384, hmac-sha512, hmac-sha1, got '" + algorithm + "'");
            require(secret != null && secret.length > 0, "secret", "must not be empty");
            secret = secret.clone();
            zone = zone == null ? Optional.empty() : zone.filter(z -> !z.isBlank());
            ttl = ttl == null ? DEFAULT_TTL : ttl;
            require(!ttl.isNegative() && ttl.toSeconds() <= Integer.MAX_VALUE, "ttl", "must be 0 or more seconds");
            timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
            require(!timeout.isNegative() && !timeout.isZero(), "timeout", "must be positive");
        }

        /** Settings with the default algorithm, zone discovery, TTL and timeout. */
        public static Settings of(String server, String keyName, byte[] secret) {
            return new Settings(server, keyName, DEFAULT_ALGORITHM, secret, Optional.empty(), DEFAULT_TTL, DEFAULT_TIMEOUT);
        }

        /** A copy of the secret. */
        @Override
        public byte[] secret() {
            return secret.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Settings s && server.equals(s.server) && keyName.equals(s.keyName)
                    && algorithm.equals(s.algorithm) && Arrays.equals(secret, s.secret) && zone.equals(s.zone)
                    && ttl.equals(s.ttl) && timeout.equals(s.timeout);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(server, keyName, algorithm, Arrays.hashCode(secret), zone, ttl, timeout);
        }

        /** Everything but the secret. */
        @Override
        public String toString() {
            return "Settings[server=" + server + ", keyName=" + keyName + ", algorithm=" + algorithm
                    + ", secret=(hidden), zone=" + zone.orElse("(discover)") + ", ttl=" + ttl + ", timeout=" + timeout + "]";
        }

        private static void require(boolean ok, String setting, String problem) {
            if (!ok) {
                throw new IllegalArgumentException("rfc2136 " + setting + " " + problem);
            }
        }
    }

    private final Settings settings;

    public Rfc2136Solver(Settings settings) {
        this.settings = settings;
    }

    @Override
    public void present(Record record) throws AcmeException {
        update(record, "add");
    }

    @Override
    public void cleanup(Record record) throws AcmeException {
        update(record, "delete");
    }

    /** Adds or deletes the one TXT value of {@code record} in its zone. */
    private void update(Record record, String verb) throws AcmeException {
        InetSocketAddress server = serverAddress();
        Name name = Delegation.absolute(record.recordName());
        Name zone = zoneFor(server, name);
        Update update = new Update(zone);
        TXTRecord txt = new TXTRecord(name, DClass.IN, settings.ttl().toSeconds(), record.value());
        if (verb.equals("add")) {
            update.add(txt);
        } else {
            update.delete(txt);
        }
        send(server, update, verb, name, zone);
        LOG.info("rfc2136 {}: {} TXT value at {} in zone {} done", settings.server(), verb, name, zone);
    }

    @Override
    public String describe() {
        return "rfc2136 " + settings.server();
    }

    private InetSocketAddress serverAddress() throws AcmeException {
        InetSocketAddress server = Delegation.socketAddress(settings.server());
        if (server.isUnresolved()) {
            throw new AcmeException(AcmeException.Kind.DNS, "rfc2136 server " + settings.server()
                    + ": cannot resolve " + server.getHostString() + " — check the name or use an address");
        }
        return server;
    }

    private Name zoneFor(InetSocketAddress server, Name name) throws AcmeException {
        if (settings.zone().isPresent()) {
            return Delegation.absolute(settings.zone().get());
        }
        return Delegation.at(server, settings.timeout()).zoneOf(name);
    }

    private void send(InetSocketAddress server, Update update, String verb, Name name, Name zone) throws AcmeException {
        SimpleResolver resolver = new SimpleResolver(server);
        resolver.setTCP(true);
        resolver.setTimeout(settings.timeout());
        resolver.setTSIGKey(new TSIG(ALGORITHMS.get(settings.algorithm()), keyName(), settings.secret()));
        Message response;
        try {
            response = resolver.send(update);
        } catch (SocketTimeoutException e) {
            throw failure("no answer from " + settings.server() + " within " + settings.timeout().toSeconds()
                    + " s to the " + verb + " of TXT " + name + " — is it a DNS server and reachable?", e);
        } catch (ConnectException e) {
            throw failure("cannot connect to " + settings.server() + " to " + verb + " TXT " + name + ": "
                    + e.getMessage() + " — is the server running and listening on TCP?", e);
        } catch (IOException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw failure("the " + verb + " of TXT " + name + " at " + settings.server() + " failed: " + why, e);
        }
        TSIGRecord tsig = response.getTSIG();
        int tsigError = tsig == null ? Rcode.NOERROR : tsig.getError();
        if (response.getRcode() != Rcode.NOERROR || tsigError != Rcode.NOERROR) {
            throw new AcmeException(AcmeException.Kind.DNS, failureMessage(response.getRcode(), tsigError,
                    settings.keyName(), verb, name.toString(), zone.toString(), settings.server()));
        }
    }

    private Name keyName() throws AcmeException {
        return Delegation.absolute(settings.keyName());
    }

    private static AcmeException failure(String message, Throwable cause) {
        return new AcmeException(AcmeException.Kind.DNS, message, Optional.empty(), cause);
    }

    /**
     * What an admin reads when the server turned an update down: the response code and TSIG error
     * explained, with what to check.
     */
    static String failureMessage(int rcode, int tsigError, String keyName, String verb, String name, String zone,
            String server) {
        String prefix = "rfc2136 " + verb + " of TXT " + name + " at " + server + ": ";
        switch (tsigError) {
            case Rcode.BADKEY:
                return prefix + "the server refused the TSIG key '" + keyName + "': it knows no key of that name and"
                        + " algorithm (BADKEY) — check the key name and algorithm against the server's key statement";
            case Rcode.BADSIG:
                return prefix + "the server refused the TSIG key '" + keyName + "': the signature does not verify"
                        + " (BADSIG) — check the secret";
            case Rcode.BADTIME:
                return prefix + "the server refused the TSIG key '" + keyName + "': our clock and the server's differ"
                        + " by more than the allowed fudge (BADTIME) — check both clocks";
            default:
                break;
        }
        if (tsigError != Rcode.NOERROR) {
            return prefix + "the server refused the TSIG key '" + keyName + "' (" + Rcode.TSIGstring(tsigError) + ")";
        }
        switch (rcode) {
            case Rcode.REFUSED:
                return prefix + "key '" + keyName + "' is not allowed to update " + name + " in zone " + zone
                        + " (REFUSED) — check update-policy (or allow-update) for the key";
            case Rcode.NOTAUTH:
                return prefix + "key '" + keyName + "' is not allowed to update zone " + zone + ", or the server is not"
                        + " its primary (NOTAUTH) — check update-policy and that the server is the zone's primary";
            case Rcode.NOTZONE:
                return prefix + name + " is not inside zone " + zone + " (NOTZONE) — check the configured zone";
            case Rcode.SERVFAIL:
                return prefix + "the server failed to apply it (SERVFAIL) — see the server's log (journal writable?)";
            default:
                return prefix + "the server answered " + Rcode.string(rcode);
        }
    }
}
