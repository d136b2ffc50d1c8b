package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.acme.AcmePebbleIT.dnsNames;
import static org.mailcert.controller.acme.AcmePebbleIT.ecKey;

import java.security.KeyPair;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.acme.AcmeCa.Eab;
import org.mailcert.controller.acme.AcmeCa.Issued;
import org.mailcert.controller.acme.AcmeCa.Order;
import org.mailcert.controller.acme.AcmeCa.Settings;
import org.mailcert.controller.testing.PebbleInstance;

/** External Account Binding against a Pebble that requires it. */
class AcmeEabIT {
    private static final String KID = "kid-1";
    private static final String HMAC = "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W";
    private static final String WRONG_HMAC = "b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH";

    private static PebbleInstance pebble;

    private final Acme4jCa ca = new Acme4jCa(Propagation.NONE, Clock.systemUTC());

    @BeforeAll
    static void startPebble() throws Exception {
        pebble = PebbleInstance.start(Map.of(KID, HMAC));
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void registersWithTheBindingAndIssues() throws Exception {
        KeyPair accountKey = ecKey();
        AcmeCa.Account account = ca.register(settings(HMAC), accountKey);
        assertTrue(account.url().toString().startsWith("https://127.0.0.1:"), account.url().toString());

        KeyPair certificateKey = ecKey();
        Issued issued = ca.order(settings(HMAC), accountKey,
                new Order(List.of("eab.example.test"), certificateKey, Optional.empty(), Optional.empty()),
                ChalltestSolver.of(pebble));
        assertEquals(Set.of("eab.example.test"), dnsNames(issued.chain().get(0)));
    }

    @Test
    void aWrongHmacIsRefusedWithoutShowingTheKey() throws Exception {
        AcmeException e = assertThrows(AcmeException.class, () -> ca.register(settings(WRONG_HMAC), ecKey()));
        assertEquals(AcmeException.Kind.CA_REFUSED, e.kind());
        assertTrue(e.getMessage().startsWith("registering the account at " + pebble.directory()), e.getMessage());
        assertTrue(e.getMessage().endsWith("(check the External Account Binding key id and HMAC key)"),
                e.getMessage());
        assertFalse(e.getMessage().contains(WRONG_HMAC.substring(0, 12)), e.getMessage());
        assertFalse(e.getMessage().contains(HMAC.substring(0, 12)), e.getMessage());
    }

    @Test
    void noBindingAtAllIsAConfigurationError() throws Exception {
        Settings without = new Settings(pebble.directory(), pebble.tlsCaPem(), "", Optional.empty());
        AcmeException e = assertThrows(AcmeException.class, () -> ca.register(without, ecKey()));
        assertEquals(AcmeException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("externalAccountRequired"), e.getMessage());
    }

    private static Settings settings(String hmac) {
        return new Settings(pebble.directory(), pebble.tlsCaPem(), "admin@example.test",
                Optional.of(new Eab(KID, Base64.getUrlDecoder().decode(hmac))));
    }
}
