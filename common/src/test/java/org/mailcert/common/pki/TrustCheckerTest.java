package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.testing.TestPki;

class TrustCheckerTest {
    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final TestPki PRIVATE = TestPki.rootCa("Mailcert Test Root", CLOCK)
            .intermediate("Mailcert Test Int");
    /** Named like a public CA, but of course not in the JDK's trust store. */
    private static final TestPki LOOKALIKE = TestPki.rootCa("ISRG Root X1", CLOCK).intermediate("R3");
    private static final TestPki.Leaf GOOD = PRIVATE.leaf("mail.example.com").issue();
    private static final TestPki.Leaf EXPIRED = PRIVATE.leaf("mail.example.com").expired().issue();
    private static final TestPki.Leaf FUTURE = PRIVATE.leaf("mail.example.com").notYetValid().issue();
    private static final TestPki.Leaf SELF = TestPki.selfSigned(CLOCK, "mail.example.com").issue();
    private static final TestPki.Leaf PUBLIC_LOOKING = LOOKALIKE.leaf("mail.example.com").issue();
    private static final TrustChecker CHECKER = new TrustChecker(List.of(PRIVATE.root()));

    static Stream<Arguments> trusted() {
        return Stream.of(
                Arguments.of("a chain without its root", GOOD.chain()),
                Arguments.of("a chain with its root", GOOD.chainWithRoot()),
                Arguments.of("a chain in reverse order", List.of(PRIVATE.root(), PRIVATE.issuer(),
                        GOOD.certificate())));
    }

    @ParameterizedTest(name = "{0} to an extra root is trusted")
    @MethodSource("trusted")
    void aChainToAnExtraRootIsTrusted(String what, List<X509Certificate> chain) {
        assertEquals(TrustResult.ok(), CHECKER.check(chain, NOW));
    }

    static Stream<Arguments> untrusted() {
        return Stream.of(
                Arguments.of("a self-signed leaf", SELF.chain(), "self-signed"),
                Arguments.of("an expired leaf", EXPIRED.chain(), "expired on 2026-02-28"),
                Arguments.of("a leaf that is not valid yet", FUTURE.chain(),
                        "not valid before 2026-03-02"),
                Arguments.of("a public-CA-looking chain", PUBLIC_LOOKING.chain(),
                        "does not chain to a trusted root (issuer CN=ISRG Root X1)"),
                Arguments.of("a public-CA-looking chain with its root",
                        PUBLIC_LOOKING.chainWithRoot(),
                        "does not chain to a trusted root (issuer CN=ISRG Root X1)"),
                Arguments.of("a leaf without its intermediate", List.of(GOOD.certificate()),
                        "does not chain to a trusted root (issuer CN=Mailcert Test Int)"),
                Arguments.of("a leaf with a stray certificate",
                        List.of(GOOD.certificate(), PRIVATE.issuer(), LOOKALIKE.issuer()),
                        "the certificates do not form one chain: CN=R3 is not on the path of leaf"
                                + " CN=mail.example.com (an unrelated certificate, or an"
                                + " intermediate is missing)"));
    }

    @ParameterizedTest(name = "{0} is not trusted: {2}")
    @MethodSource("untrusted")
    void untrustedChainsSayWhy(String what, List<X509Certificate> chain, String problem) {
        assertEquals(TrustResult.untrusted(problem), CHECKER.check(chain, NOW));
    }

    @Test
    void theInstantDecidesExpiry() {
        Instant later = NOW.plus(Duration.ofDays(100));
        TrustResult result = CHECKER.check(GOOD.chain(), later);
        assertEquals(false, result.trusted());
        assertTrue(result.problem().startsWith("expired on 2026-05-30"), result.problem());
    }

    @Test
    void theJdkRootsAloneDoNotTrustAPrivateChain() {
        TrustResult result = TrustChecker.withJdkRoots().check(GOOD.chain(), NOW);
        assertEquals(TrustResult.untrusted(
                "does not chain to a trusted root (issuer CN=Mailcert Test Root)"), result);
    }

    @Test
    void aSelfSignedLeafGivenAsARootIsTrusted() {
        TrustChecker pinned = new TrustChecker(List.of(SELF.certificate()));
        assertEquals(TrustResult.ok(), pinned.check(SELF.chain(), NOW));
    }

    @Test
    void anExpiredIntermediateIsNamed() {
        KeyPair intKey = Keys.generate(Keys.KeyType.EC256);
        X509Certificate oldInt = TestCertificates.ca("Old Int", intKey.getPublic(),
                NOW.minus(Duration.ofDays(400)), Instant.parse("2026-01-01T00:00:00Z"),
                PRIVATE.root(), PRIVATE.rootKey());
        KeyPair leafKey = Keys.generate(Keys.KeyType.EC256);
        X509Certificate leaf = TestCertificates.leaf("mail.example.com",
                List.of("mail.example.com"), List.of(), leafKey.getPublic(),
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(1)), oldInt,
                intKey.getPrivate());
        assertEquals(TrustResult.untrusted("intermediate CN=Old Int expired on 2026-01-01"),
                CHECKER.check(List.of(leaf, oldInt), NOW));
    }
}
