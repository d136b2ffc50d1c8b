package org.mailcert.common.pki;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.pki.BadMaterialException.Reason;
import org.mailcert.common.testing.TestPki;

class ChainsTest {
    private static final Clock CLOCK =
            Clock.fixed(Instant.parse("2026-03-01T12:00:00Z"), ZoneOffset.UTC);
    private static final TestPki ROOT = TestPki.rootCa("Test Root", CLOCK);
    private static final TestPki UPPER = ROOT.intermediate("Upper Int");
    private static final TestPki LOWER = UPPER.intermediate("Lower Int");
    private static final TestPki.Leaf LEAF = LOWER.leaf("mail.example.com").issue();
    private static final TestPki.Leaf OTHER_LEAF = LOWER.leaf("www.example.com").issue();
    private static final TestPki.Leaf SELF = TestPki.selfSigned(CLOCK, "self.example.com").issue();
    private static final TestPki.Leaf FOREIGN =
            TestPki.rootCa("Other Root", CLOCK).intermediate("Other Int").leaf("x.example").issue();
    private static final X509Certificate L = LEAF.certificate();
    private static final X509Certificate LO = LOWER.issuer();
    private static final X509Certificate UP = UPPER.issuer();
    private static final X509Certificate R = ROOT.root();
    /** Same subject DN as the lower intermediate, but another key: it did not sign the leaf. */
    private static final X509Certificate IMPOSTOR = impostor();

    private static X509Certificate impostor() {
        KeyPair pair = Keys.generate(Keys.KeyType.EC256);
        Instant now = CLOCK.instant();
        return TestCertificates.ca("Lower Int", pair.getPublic(), now.minusSeconds(3600),
                now.plusSeconds(3600), UP, UPPER.issuerKey());
    }

    static Stream<Arguments> orderable() {
        return Stream.of(
                Arguments.of("an ordered chain stays as it is", List.of(L, LO, UP), List.of(L, LO, UP)),
                Arguments.of("a reversed chain with root is put in order", List.of(R, UP, LO, L),
                        List.of(L, LO, UP, R)),
                Arguments.of("a shuffled chain is put in order", List.of(UP, L, R, LO),
                        List.of(L, LO, UP, R)),
                Arguments.of("exact duplicates are removed", List.of(L, LO, L, UP, LO),
                        List.of(L, LO, UP)),
                Arguments.of("a gap at the top is fine", List.of(LO, L), List.of(L, LO)),
                Arguments.of("a leaf alone is fine", List.of(L), List.of(L)),
                Arguments.of("a self-signed leaf alone is fine", List.of(SELF.certificate()),
                        List.of(SELF.certificate())),
                Arguments.of("a CA chain without leaf orders from its lowest CA", List.of(R, UP, LO),
                        List.of(LO, UP, R)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("orderable")
    void chainsArePutInOrder(String what, List<X509Certificate> input,
            List<X509Certificate> expected) throws Exception {
        assertEquals(expected, Chains.order(input));
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("an unrelated certificate", List.of(L, LO, UP, FOREIGN.certificate()),
                        "is not on the path"),
                Arguments.of("an unrelated CA", List.of(L, LO, UP, FOREIGN.chain().get(1)),
                        "is not on the path"),
                Arguments.of("two leaves", List.of(L, OTHER_LEAF.certificate(), LO),
                        "two leaf certificates"),
                Arguments.of("two unrelated leaves", List.of(L, FOREIGN.certificate()),
                        "two leaf certificates"),
                Arguments.of("a missing intermediate in the middle", List.of(L, UP),
                        "is not on the path"),
                Arguments.of("an issuer with the right name but the wrong key", List.of(L, IMPOSTOR),
                        "is not on the path"));
    }

    @ParameterizedTest(name = "{0} breaks the chain")
    @MethodSource("broken")
    void certificatesThatAreNotOnePathAreRefused(String what, List<X509Certificate> input,
            String detail) {
        BadMaterialException e =
                assertThrows(BadMaterialException.class, () -> Chains.order(input));
        assertEquals(Reason.CHAIN_BROKEN, e.reason());
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }

    @Test
    void certificatesWithTheSameSubjectAreToldApartBySerial() {
        X509Certificate twin = LOWER.leaf("mail.example.com").issue().certificate();
        BadMaterialException e =
                assertThrows(BadMaterialException.class, () -> Chains.order(List.of(L, twin, LO)));
        assertTrue(e.getMessage().contains("CN=mail.example.com (serial "
                + L.getSerialNumber().toString(16) + ")"), e.getMessage());
    }

    @Test
    void anEmptyListHasNoCertificate() {
        assertEquals(Reason.NO_CERTIFICATE, assertThrows(BadMaterialException.class,
                () -> Chains.order(List.of())).reason());
    }

    @Test
    void theBrokenMessageNamesTheStrayCertificateAndTheLeaf() {
        BadMaterialException e = assertThrows(BadMaterialException.class,
                () -> Chains.order(List.of(L, LO, FOREIGN.certificate())));
        assertEquals("the certificates do not form one chain: CN=x.example is not on the path of"
                + " leaf CN=mail.example.com (an unrelated certificate, or an intermediate is"
                + " missing)", e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void inIssuerOrderTellsAnOrderedChainFromAMisorderedOrPaddedOne() {
        List<java.security.cert.X509Certificate> chain = LEAF.chainWithRoot();
        org.junit.jupiter.api.Assertions.assertTrue(Chains.inIssuerOrder(chain), "leaf, lower, upper, root");
        org.junit.jupiter.api.Assertions.assertTrue(Chains.inIssuerOrder(chain.subList(0, 2)), "without the rest");
        org.junit.jupiter.api.Assertions.assertTrue(Chains.inIssuerOrder(List.of(LEAF.certificate())), "a leaf alone");
        org.junit.jupiter.api.Assertions.assertFalse(Chains.inIssuerOrder(
                List.of(chain.get(0), chain.get(2), chain.get(1))), "intermediates swapped");
        org.junit.jupiter.api.Assertions.assertFalse(Chains.inIssuerOrder(
                List.of(chain.get(1), chain.get(0))), "leaf not first");
        org.junit.jupiter.api.Assertions.assertFalse(Chains.inIssuerOrder(
                List.of(chain.get(0), chain.get(1), chain.get(1))), "a certificate twice");
        org.junit.jupiter.api.Assertions.assertFalse(Chains.inIssuerOrder(
                List.of(LEAF.certificate(), OTHER_LEAF.certificate())), "a second leaf");
        org.junit.jupiter.api.Assertions.assertFalse(Chains.inIssuerOrder(
                List.of(LEAF.certificate(), FOREIGN.chain().get(1))), "an unrelated intermediate");
        org.junit.jupiter.api.Assertions.assertFalse(Chains.inIssuerOrder(List.of()));
    }
}
