package org.mailcert.agent.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.TrustChecker;
import org.mailcert.common.pki.TrustResult;
import org.mailcert.common.testing.TestPki;

/** Certificates are judged once, and again only when time leaves the span the judgement holds for. */
class CertificateMemoTest {
    private static final TestPki PKI = TestPki.rootCa("Memo Root").intermediate("Memo CA");
    private static final Instant NOW = Instant.now();

    private final TestPki.Leaf leaf = PKI.leaf("mail.example.com").validity(NOW.minus(Duration.ofDays(10)),
            NOW.plus(Duration.ofDays(20))).issue();
    private final Binding a = TestBindings.binding("mail/example.com", "mail.example.com", leaf);
    private final Binding b = TestBindings.binding("mail/example.org", "mail.example.com", leaf);
    private final CertificateMemo memo = new CertificateMemo(Optional.of(new TrustChecker(List.of(PKI.root()))));

    @Test
    void bindingsOfOneCertificateShareOneJudgementWhileItHolds() {
        TrustResult first = memo.trust(a, NOW).orElseThrow();
        assertTrue(first.trusted(), first.problem());
        assertSame(first, memo.trust(b, NOW.plus(Duration.ofDays(5))).orElseThrow(),
                "the same certificate, inside its validity");
        assertSame(memo.facts(a), memo.facts(b));
    }

    @Test
    void aJudgementIsMadeAgainOnceTheChainHasEnded() {
        assertTrue(memo.trust(a, NOW).orElseThrow().trusted());
        TrustResult later = memo.trust(a, NOW.plus(Duration.ofDays(21))).orElseThrow();
        assertFalse(later.trusted(), "checked again at an instant past the leaf's end: " + later);
    }

    @Test
    void primingJudgesEveryCertificateAndForgetsThoseNoLongerUsed() {
        TestPki.Leaf other = PKI.leaf("mail.example.net").issue();
        Binding c = TestBindings.binding("mail/example.net", "mail.example.net", other);
        memo.prime(List.of(a, c), NOW);
        TrustResult judged = memo.trust(c, NOW).orElseThrow();
        assertSame(judged, memo.trust(c, NOW).orElseThrow(), "primed");
        memo.prime(List.of(a), NOW);
        assertTrue(memo.trust(c, NOW).orElseThrow() != judged, "forgotten once no binding used it, judged afresh");
    }

    @Test
    void aCycleJudgesAtMostItsBudgetOfNewCertificatesAndTheNextOnesTheRest() {
        List<Binding> many = new java.util.ArrayList<>();
        for (int i = 0; i < CertificateMemo.NEW_PER_CYCLE + 3; i++) {
            many.add(TestBindings.binding("mail/d" + i + ".example", "mail.d" + i + ".example",
                    PKI.leaf("mail.d" + i + ".example").issue()));
        }
        memo.prime(many, NOW);
        long judged = many.stream().filter(x -> memo.trust(x, NOW).isPresent()).count();
        assertEquals(CertificateMemo.NEW_PER_CYCLE, judged, "the first cycle's budget");
        memo.prime(many, NOW);
        assertTrue(many.stream().allMatch(x -> memo.trust(x, NOW).isPresent()), "the second cycle judged the rest");
    }

    @Test
    void withoutRootsTrustIsNotJudged() {
        assertFalse(new CertificateMemo(Optional.empty()).judgesTrust());
    }
}
