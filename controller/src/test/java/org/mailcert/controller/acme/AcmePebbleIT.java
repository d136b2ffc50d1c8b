package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.controller.acme.AcmeCa.Issued;
import org.mailcert.controller.acme.AcmeCa.Order;
import org.mailcert.controller.acme.AcmeCa.Settings;
import org.mailcert.controller.testing.PebbleInstance;

/** {@link Acme4jCa} against Debian's Pebble, with pebble-challtestsrv as Pebble's DNS. */
class AcmePebbleIT {
    private static PebbleInstance pebble;
    private static Settings settings;

    private final Acme4jCa ca = new Acme4jCa(Propagation.NONE, Clock.systemUTC());

    @TempDir
    Path tmp;

    @BeforeAll
    static void startPebble() throws Exception {
        pebble = PebbleInstance.start();
        settings = new Settings(pebble.directory(), pebble.tlsCaPem(), "admin@example.test", Optional.empty());
    }

    @AfterAll
    static void stopPebble() {
        if (pebble != null) {
            pebble.close();
        }
    }

    @Test
    void issuesAWildcardAndItsApexThroughTheExecHookAndCleansUp() throws Exception {
        KeyPair accountKey = ecKey();
        AcmeCa.Account account = ca.register(settings, accountKey);
        assertTrue(account.url().toString().startsWith("https://127.0.0.1:"), account.url().toString());
        assertFalse(account.capabilities().ari(), "Debian's Pebble 2.4 has no ARI");

        Path log = tmp.resolve("hook.log");
        ExecHookSolver hook = new ExecHookSolver(List.of("/bin/sh", writeHook(log).toString()), Duration.ofSeconds(20));
        KeyPair certificateKey = ecKey();
        Issued issued = ca.order(settings, accountKey,
                new Order(List.of("*.example.test", "example.test"), certificateKey, Optional.empty(), Optional.empty()),
                hook);

        X509Certificate leaf = issued.chain().get(0);
        assertEquals(Set.of("*.example.test", "example.test"), dnsNames(leaf));
        assertEquals(certificateKey.getPublic(), leaf.getPublicKey());
        X509Certificate pebbleRoot = Pem.readCertificates(
                pebble.issuingRootPem().getBytes(StandardCharsets.US_ASCII)).get(0);
        var trust = new TrustChecker(List.of(pebbleRoot)).check(issued.chain(), Instant.now());
        assertTrue(trust.trusted(), trust.problem());
        assertTrue(issued.orderUrl().toString().startsWith("https://127.0.0.1:"), issued.orderUrl().toString());

        List<String> lines = Files.readAllLines(log);
        assertEquals(2, lines.stream().filter(l -> l.startsWith("present _acme-challenge.example.test. ")).count(),
                lines.toString());
        assertEquals(2, lines.stream().filter(l -> l.startsWith("cleanup _acme-challenge.example.test. ")).count(),
                lines.toString());
        assertTrue(lines.indexOf(lines.stream().filter(l -> l.startsWith("cleanup")).findFirst().orElseThrow())
                > lines.indexOf(lines.stream().filter(l -> l.startsWith("present")).reduce((a, b) -> b).orElseThrow()),
                "all records are presented before any is removed: " + lines);
    }

    @Test
    void registeringTwiceFindsTheSameAccount() throws Exception {
        KeyPair accountKey = ecKey();
        assertEquals(ca.register(settings, accountKey).url(), ca.register(settings, accountKey).url());
    }

    @Test
    void aHookThatFailsStopsTheOrderWithADnsError() throws Exception {
        KeyPair accountKey = ecKey();
        ca.register(settings, accountKey);
        Path script = tmp.resolve("failing-hook.sh");
        Path log = tmp.resolve("failing.log");
        Files.writeString(script, "echo \"$MAILCERT_ACTION\" >> '" + log + "'\n"
                + "echo 'starting' >&2\necho 'zone example.test not found' >&2\nexit 1\n");
        List<String> checked = Collections.synchronizedList(new ArrayList<>());
        Acme4jCa recording = new Acme4jCa((record, timeout) -> checked.add(record.recordName()), Clock.systemUTC());

        AcmeException e = assertThrows(AcmeException.class, () -> recording.order(settings, accountKey,
                new Order(List.of("*.example.test", "example.test"), ecKey(), Optional.empty(), Optional.empty()),
                new ExecHookSolver(List.of("/bin/sh", script.toString()), Duration.ofSeconds(20))));

        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().contains("exit 1: zone example.test not found"), e.getMessage());
        assertEquals(List.of("present", "cleanup"), Files.readAllLines(log),
                "no further present; the failed one is cleaned up, as it may have written its record");
        assertEquals(List.of(), checked, "nothing is checked or validated after the failure");
    }

    @Test
    void aRecordThatNeverBecomesVisibleIsADnsErrorAndEveryPresentedRecordIsRemoved() throws Exception {
        KeyPair accountKey = ecKey();
        ca.register(settings, accountKey);
        ChalltestSolver solver = ChalltestSolver.of(pebble);
        Acme4jCa invisible = new Acme4jCa((record, timeout) -> {
            throw new AcmeException(AcmeException.Kind.DNS, record.recordName() + " not visible at ns1.example.test");
        }, Clock.systemUTC());

        AcmeException e = assertThrows(AcmeException.class, () -> invisible.order(settings, accountKey,
                new Order(List.of("a.example.test", "b.example.test"), ecKey(), Optional.empty(), Optional.empty()),
                solver));

        assertEquals(AcmeException.Kind.DNS, e.kind());
        assertTrue(e.getMessage().endsWith("not visible at ns1.example.test"), e.getMessage());
        assertEquals(Set.of("present _acme-challenge.a.example.test.", "present _acme-challenge.b.example.test.",
                "cleanup _acme-challenge.a.example.test.", "cleanup _acme-challenge.b.example.test."),
                Set.copyOf(solver.calls()));
        assertEquals(4, solver.calls().size());
    }

    @Test
    void aWrongTxtValueIsRefusedWithTheCasReasonAndStillCleanedUp() throws Exception {
        KeyPair accountKey = ecKey();
        ca.register(settings, accountKey);
        ChalltestSolver wrongValue = ChalltestSolver.presentingWrongValue(pebble, "not-the-digest");

        AcmeException e = assertThrows(AcmeException.class, () -> ca.order(settings, accountKey,
                new Order(List.of("wrong.example.test"), ecKey(), Optional.empty(), Optional.empty()), wrongValue));

        assertEquals(AcmeException.Kind.CA_REFUSED, e.kind());
        assertTrue(e.getMessage().contains("could not validate wrong.example.test"), e.getMessage());
        assertTrue(e.getMessage().contains("[unauthorized]"), e.getMessage());
        assertEquals(List.of("present _acme-challenge.wrong.example.test.", "cleanup _acme-challenge.wrong.example.test."),
                wrongValue.calls());
    }

    @Test
    void aProfileTheCaDoesNotOfferIsAConfigurationError() throws Exception {
        KeyPair accountKey = ecKey();
        ca.register(settings, accountKey);
        ChalltestSolver never = ChalltestSolver.of(pebble);

        AcmeException e = assertThrows(AcmeException.class, () -> ca.order(settings, accountKey,
                new Order(List.of("example.test"), ecKey(), Optional.of("shortlived"), Optional.empty()), never));

        assertEquals(AcmeException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("does not offer the profile 'shortlived'"), e.getMessage());
        assertEquals(List.of(), never.calls());
    }

    @Test
    void orderingWithoutAnAccountIsAConfigurationError() throws Exception {
        AcmeException e = assertThrows(AcmeException.class, () -> ca.order(settings, ecKey(),
                new Order(List.of("example.test"), ecKey(), Optional.empty(), Optional.empty()),
                new ExecHookSolver("/bin/false", Duration.ofSeconds(5))));
        assertEquals(AcmeException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("register"), e.getMessage());
    }

    @Test
    void renewalInfoIsEmptyWithoutAri() throws Exception {
        var leaf = org.mailcert.common.testing.TestPki.rootCa("Some CA").leaf("example.test").issue();
        assertEquals(Optional.empty(), ca.renewalInfo(settings, leaf.certificate()));
    }

    @Test
    void aDirectoryWhoseTlsIsNotTrustedIsANetworkErrorNamingTheTrust() throws Exception {
        Settings untrusted = new Settings(pebble.directory(), "", "", Optional.empty());
        AcmeException e = assertThrows(AcmeException.class, () -> ca.register(untrusted, ecKey()));
        assertEquals(AcmeException.Kind.NETWORK, e.kind());
        assertTrue(e.getMessage().contains("TLS"), e.getMessage());
    }

    /** A hook that sets and clears TXT values through challtestsrv's API and logs each call. */
    private Path writeHook(Path log) throws IOException {
        Path script = tmp.resolve("hook.sh");
        Files.writeString(script, """
                set -eu
                case "$MAILCERT_ACTION" in
                  present) body="{\\"host\\":\\"$MAILCERT_RECORD\\",\\"value\\":\\"$MAILCERT_VALUE\\"}"; path=set-txt ;;
                  cleanup) body="{\\"host\\":\\"$MAILCERT_RECORD\\"}"; path=clear-txt ;;
                  *) echo "unknown action $MAILCERT_ACTION" >&2; exit 2 ;;
                esac
                curl -sS -f --max-time 10 -X POST -d "$body" "%s/$path"
                echo "$MAILCERT_ACTION $MAILCERT_RECORD $MAILCERT_DOMAIN $MAILCERT_VALUE" >> '%s'
                """.formatted(pebble.challtestManagement(), log));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    static Set<String> dnsNames(X509Certificate certificate) throws Exception {
        Set<String> names = new TreeSet<>();
        for (List<?> name : certificate.getSubjectAlternativeNames()) {
            if (Integer.valueOf(2).equals(name.get(0))) {
                names.add((String) name.get(1));
            }
        }
        return names;
    }

    static KeyPair ecKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
