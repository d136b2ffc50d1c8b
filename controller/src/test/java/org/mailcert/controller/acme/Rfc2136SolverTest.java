package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Rcode;

class Rfc2136SolverTest {
    private static final byte[] SECRET = "super-secret-bytes".getBytes(StandardCharsets.UTF_8);

    private static Rfc2136Solver.Settings settings(String server, String key, String algorithm, byte[] secret,
            Duration ttl, Duration timeout) {
        return new Rfc2136Solver.Settings(server, key, algorithm, secret, Optional.empty(), ttl, timeout);
    }

    private static String rejection(Runnable make) {
        return assertThrows(IllegalArgumentException.class, make::run).getMessage();
    }

    @Test
    void defaultsAreSha256SixtySecondsTtlAndTenSecondsTimeout() {
        Rfc2136Solver.Settings s = Rfc2136Solver.Settings.of("ns1.example.net:53", "acme", SECRET);
        assertEquals("hmac-sha256", s.algorithm());
        assertEquals(Duration.ofSeconds(60), s.ttl());
        assertEquals(Duration.ofSeconds(10), s.timeout());
        assertEquals(Optional.empty(), s.zone());
        Rfc2136Solver.Settings nulls = settings("ns1.example.net:53", "acme", null, SECRET, null, null);
        assertEquals(s, nulls);
    }

    @Test
    void theOtherHmacAlgorithmsAreAcceptedInAnyCase() {
        for (String algorithm : new String[] {"hmac-sha512", "HMAC-SHA384", "hmac-sha1"}) {
            assertEquals(algorithm.toLowerCase(),
                    settings("ns:53", "k", algorithm, SECRET, null, null).algorithm());
        }
    }

    @Test
    void eachWrongSettingIsRejectedByName() {
        assertTrue(rejection(() -> settings("ns1.example.net", "k", null, SECRET, null, null)).contains("rfc2136 server"));
        assertTrue(rejection(() -> settings("ns:99999", "k", null, SECRET, null, null)).contains("rfc2136 server"));
        assertTrue(rejection(() -> settings("ns:x", "k", null, SECRET, null, null)).contains("rfc2136 server"));
        assertTrue(rejection(() -> settings("ns:53", " ", null, SECRET, null, null)).contains("rfc2136 key-name"));
        assertTrue(rejection(() -> settings("ns:53", "k", "hmac-md5", SECRET, null, null)).contains("rfc2136 algorithm"));
        assertTrue(rejection(() -> settings("ns:53", "k", null, new byte[0], null, null)).contains("rfc2136 secret"));
        assertTrue(rejection(() -> settings("ns:53", "k", null, SECRET, Duration.ofSeconds(-1), null)).contains("rfc2136 ttl"));
        assertTrue(rejection(() -> settings("ns:53", "k", null, SECRET, null, Duration.ZERO)).contains("rfc2136 timeout"));
    }

    @Test
    void theSecretIsNeverShownAndIsCopiedInAndOut() {
        byte[] secret = SECRET.clone();
        Rfc2136Solver.Settings s = Rfc2136Solver.Settings.of("ns:53", "acme-key", secret);
        String shown = s.toString();
        assertTrue(shown.contains("acme-key") && shown.contains("ns:53"), shown);
        assertFalse(shown.contains("super-secret"), shown);
        assertFalse(shown.contains(Base64.getEncoder().encodeToString(SECRET)), shown);
        assertFalse(new Rfc2136Solver(s).describe().contains("secret"));

        secret[0] = 'X';
        assertArrayEquals(SECRET, s.secret());
        s.secret()[0] = 'Y';
        assertArrayEquals(SECRET, s.secret());
    }

    @Test
    void settingsWithDifferentSecretsDiffer() {
        Rfc2136Solver.Settings a = Rfc2136Solver.Settings.of("ns:53", "k", SECRET);
        Rfc2136Solver.Settings b = Rfc2136Solver.Settings.of("ns:53", "k", "other".getBytes(StandardCharsets.UTF_8));
        assertEquals(a, Rfc2136Solver.Settings.of("ns:53", "k", SECRET.clone()));
        assertEquals(a.hashCode(), Rfc2136Solver.Settings.of("ns:53", "k", SECRET.clone()).hashCode());
        assertNotEquals(a, b);
    }

    @Test
    void describeNamesTheServer() {
        assertEquals("rfc2136 ns1.example.net:53",
                new Rfc2136Solver(Rfc2136Solver.Settings.of("ns1.example.net:53", "k", SECRET)).describe());
    }

    private static String message(int rcode, int tsigError) {
        return Rfc2136Solver.failureMessage(rcode, tsigError, "acme-key", "add", "_acme-challenge.example.com.",
                "example.com.", "ns1:53");
    }

    @Test
    void tsigErrorsNameTheKeyAndWhatToCheck() {
        assertTrue(message(Rcode.NOTAUTH, Rcode.BADKEY).contains("refused the TSIG key 'acme-key'"));
        assertTrue(message(Rcode.NOTAUTH, Rcode.BADKEY).contains("key name and algorithm"));
        assertTrue(message(Rcode.NOTAUTH, Rcode.BADSIG).contains("check the secret"));
        assertTrue(message(Rcode.NOTAUTH, Rcode.BADTIME).contains("check both clocks"));
        assertTrue(message(Rcode.NOTAUTH, Rcode.BADTRUNC).contains("refused the TSIG key 'acme-key' (BADTRUNC)"));
    }

    @Test
    void updateRcodesSayWhatIsWrong() {
        assertEquals("rfc2136 add of TXT _acme-challenge.example.com. at ns1:53: key 'acme-key' is not allowed to update"
                + " _acme-challenge.example.com. in zone example.com. (REFUSED) — check update-policy (or allow-update)"
                + " for the key", message(Rcode.REFUSED, Rcode.NOERROR));
        assertTrue(message(Rcode.NOTAUTH, Rcode.NOERROR).contains("not allowed to update zone example.com."));
        assertTrue(message(Rcode.NOTAUTH, Rcode.NOERROR).contains("update-policy"));
        assertTrue(message(Rcode.NOTZONE, Rcode.NOERROR).contains("is not inside zone example.com. (NOTZONE)"));
        assertTrue(message(Rcode.SERVFAIL, Rcode.NOERROR).contains("SERVFAIL"));
        assertTrue(message(Rcode.YXRRSET, Rcode.NOERROR).endsWith("the server answered YXRRSET"));
    }
}
