package org.mailcert.controller.acme;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.acme.AcmePebbleIT.ecKey;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.acme.AcmeCa.Order;
import org.mailcert.controller.acme.AcmeCa.Settings;
import org.mailcert.controller.testing.PebbleInstance;
import org.shredzone.acme4j.toolbox.AcmeUtils;
import org.shredzone.acme4j.toolbox.JSON;

/**
 * ARI, profiles and {@code replaces}, which Debian's Pebble lacks: a small loopback server serves
 * Pebble's directory plus a {@code renewalInfo} resource and two profiles, answers renewalInfo
 * itself, and takes newOrder to record what was sent (then refuses it, as it cannot issue).
 */
class AcmeAriIT {
    private static final Instant WINDOW_START = Instant.parse("2030-01-10T00:00:00Z");
    private static final Instant WINDOW_END = Instant.parse("2030-01-12T00:00:00Z");

    private static PebbleInstance pebble;
    private static HttpServer fake;
    private static final List<String> renewalInfoIds = new CopyOnWriteArrayList<>();
    private static final List<JSON> orders = new CopyOnWriteArrayList<>();

    private final Acme4jCa ca = new Acme4jCa(Propagation.NONE, Clock.systemUTC());

    @BeforeAll
    static void start() throws Exception {
        pebble = PebbleInstance.start();
        fake = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + fake.getAddress().getPort();
        Map<String, Object> directory = new HashMap<>(JSON.parse(pebble.directoryJson()).toMap());
        directory.put("renewalInfo", base + "/renewal-info");
        directory.put("newOrder", base + "/new-order");
        Map<String, Object> meta = new HashMap<>(JSON.parse(pebble.directoryJson()).get("meta").asObject().toMap());
        meta.put("profiles", Map.of("classic", "90 days", "shortlived", "6 days"));
        directory.put("meta", meta);
        String directoryJson = JSON.fromMap(directory).toString();

        fake.createContext("/dir", exchange -> reply(exchange, 200, "application/json", directoryJson, Map.of()));
        fake.createContext("/renewal-info/", exchange -> {
            renewalInfoIds.add(exchange.getRequestURI().getPath().substring("/renewal-info/".length()));
            reply(exchange, 200, "application/json", "{\"suggestedWindow\": {\"start\": \"" + WINDOW_START
                    + "\", \"end\": \"" + WINDOW_END + "\"}}", Map.of("Retry-After", "21600"));
        });
        fake.createContext("/new-order", exchange -> {
            JSON jws = JSON.parse(new String(exchange.getRequestBody().readAllBytes(), UTF_8));
            orders.add(JSON.parse(new String(Base64.getUrlDecoder().decode(jws.get("payload").asString()), UTF_8)));
            reply(exchange, 403, "application/problem+json", "{\"type\": "
                    + "\"urn:ietf:params:acme:error:unauthorized\", \"detail\": \"test server: order recorded\"}",
                    Map.of());
        });
        fake.start();
    }

    @AfterAll
    static void stop() {
        if (fake != null) {
            fake.stop(0);
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void theCapabilitiesShowAriAndTheProfiles() throws Exception {
        AcmeCa.Account account = ca.register(fakeSettings(), ecKey());
        assertTrue(account.capabilities().ari());
        assertEquals(Set.of("classic", "shortlived"), account.capabilities().profiles());
    }

    @Test
    void renewalInfoGivesTheSuggestedWindowAndRetryAfter() throws Exception {
        X509Certificate issued = issueFromPebble();
        Instant before = Instant.now();

        AcmeCa.RenewalWindow window = ca.renewalInfo(fakeSettings(), issued).orElseThrow();

        assertEquals(WINDOW_START, window.start());
        assertEquals(WINDOW_END, window.end());
        Instant retry = window.retryAfter().orElseThrow();
        assertTrue(!retry.isBefore(before.plus(Duration.ofHours(6)).truncatedTo(ChronoUnit.SECONDS))
                && retry.isBefore(Instant.now().plus(Duration.ofHours(6)).plusSeconds(2)), retry.toString());
        assertEquals(AcmeUtils.getRenewalUniqueIdentifier(issued), renewalInfoIds.get(renewalInfoIds.size() - 1));
    }

    @Test
    void anOrderNamesTheProfileAndTheCertificateItReplaces() throws Exception {
        KeyPair accountKey = ecKey();
        ca.register(fakeSettings(), accountKey);
        X509Certificate old = issueFromPebble();
        orders.clear();

        AcmeException e = assertThrows(AcmeException.class, () -> ca.order(fakeSettings(), accountKey,
                new Order(List.of("renew.example.test"), ecKey(), Optional.of("shortlived"), Optional.of(old)),
                new ExecHookSolver("/bin/true", Duration.ofSeconds(5))));

        assertEquals(AcmeException.Kind.CA_REFUSED, e.kind());
        assertTrue(e.getMessage().contains("test server: order recorded"), e.getMessage());
        assertEquals(1, orders.size());
        assertEquals("shortlived", orders.get(0).get("profile").asString());
        assertEquals(AcmeUtils.getRenewalUniqueIdentifier(old), orders.get(0).get("replaces").asString());
    }

    @Test
    void anUnofferedProfileNamesTheOfferedOnes() throws Exception {
        KeyPair accountKey = ecKey();
        ca.register(fakeSettings(), accountKey);
        AcmeException e = assertThrows(AcmeException.class, () -> ca.order(fakeSettings(), accountKey,
                new Order(List.of("renew.example.test"), ecKey(), Optional.of("tlsserver"), Optional.empty()),
                new ExecHookSolver("/bin/true", Duration.ofSeconds(5))));
        assertEquals(AcmeException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().endsWith("does not offer the profile 'tlsserver' (it offers classic, shortlived)"),
                e.getMessage());
    }

    /** A certificate from Pebble itself (through its own directory), to ask about and replace. */
    private X509Certificate issueFromPebble() throws Exception {
        Settings direct = new Settings(pebble.directory(), pebble.tlsCaPem(), "", Optional.empty());
        KeyPair accountKey = ecKey();
        ca.register(direct, accountKey);
        return ca.order(direct, accountKey, new Order(List.of("old.example.test"), ecKey(), Optional.empty(),
                Optional.empty()), ChalltestSolver.of(pebble)).chain().get(0);
    }

    private static Settings fakeSettings() {
        return new Settings(URI.create("http://127.0.0.1:" + fake.getAddress().getPort() + "/dir"),
                pebble.tlsCaPem(), "", Optional.empty());
    }

    private static void reply(HttpExchange exchange, int status, String type, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type);
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
