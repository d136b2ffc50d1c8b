package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.acme.AcmeCa.Order;
import org.mailcert.controller.acme.AcmeCa.Settings;
import org.mailcert.controller.testing.BindInstance;
import org.mailcert.controller.testing.PebbleInstance;

/**
 * Issue 6's RFC 2136 proof: Pebble validates DNS-01 against a real BIND 9 (its {@code -dnsserver}),
 * and the controller writes the records there by dynamic update with a TSIG key that may update
 * only {@code _acme-challenge} TXT records; before asking Pebble to validate, it waits until the
 * record is visible at the zone's authoritative server.
 */
class AcmeBindIT {
    @TempDir
    Path tmp;

    private BindInstance bind;
    private PebbleInstance pebble;
    private Acme4jCa ca;
    private Settings settings;

    @BeforeEach
    void start() throws Exception {
        bind = BindInstance.start(tmp.resolve("bind"));
        pebble = PebbleInstance.start(Map.of(), Optional.of(bind.address()));
        ca = new Acme4jCa(new AuthoritativeCheck(Delegation.using(List.of(bind.address()), bind.port()),
                Clock.systemUTC()), Clock.systemUTC());
        settings = new Settings(pebble.directory(), pebble.tlsCaPem(), "admin@example.test", Optional.empty());
    }

    @AfterEach
    void stop() {
        if (pebble != null) {
            pebble.close();
        }
        if (bind != null) {
            bind.close();
        }
    }

    @Test
    void aWildcardApexAndMailNameAreIssuedThroughDynamicUpdatesAndTheRecordsAreRemoved() throws Exception {
        KeyPair account = AcmePebbleIT.ecKey();
        ca.register(settings, account);
        Rfc2136Solver solver = new Rfc2136Solver(Rfc2136Solver.Settings.of(bind.address(), BindInstance.KEY_NAME,
                bind.secret()));

        AcmeCa.Issued issued = ca.order(settings, account, new Order(List.of("*.example.test", "example.test",
                "mail.example.test"), AcmePebbleIT.ecKey(), Optional.empty(), Optional.empty()), solver);

        assertEquals(Set.of("*.example.test", "example.test", "mail.example.test"),
                AcmePebbleIT.dnsNames(issued.chain().get(0)));
        assertEquals(List.of(), bind.txt("_acme-challenge.example.test."), "cleaned up after validation");
        assertEquals(List.of(), bind.txt("_acme-challenge.mail.example.test."), "cleaned up after validation");
    }

    @Test
    void aWrongTsigKeyFailsAsADnsProblemNamingTheKeyAndNothingIsValidated() throws Exception {
        KeyPair account = AcmePebbleIT.ecKey();
        ca.register(settings, account);
        byte[] wrong = bind.secret();
        wrong[0] ^= 0x55;
        Rfc2136Solver solver = new Rfc2136Solver(Rfc2136Solver.Settings.of(bind.address(), BindInstance.KEY_NAME,
                wrong));

        AcmeException e = assertThrows(AcmeException.class, () -> ca.order(settings, account,
                new Order(List.of("example.test"), AcmePebbleIT.ecKey(), Optional.empty(), Optional.empty()),
                solver));
        assertEquals(AcmeException.Kind.DNS, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(BindInstance.KEY_NAME), e.getMessage());
        assertEquals(List.of(), bind.txt("_acme-challenge.example.test."));
    }
}
