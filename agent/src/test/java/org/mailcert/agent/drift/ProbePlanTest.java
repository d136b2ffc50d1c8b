package org.mailcert.agent.drift;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

/** A cycle's handshakes stay within the budget and, over cycles, reach every name on every port. */
class ProbePlanTest {
    private static final List<Endpoint> PORTS = List.of(new Endpoint("smtps", "127.0.0.1", 465, Protocol.IMPLICIT),
            new Endpoint("imaps", "127.0.0.1", 993, Protocol.IMPLICIT));

    private static List<ProbePlan.Name> names(int n, int perCertificate) {
        List<ProbePlan.Name> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add(new ProbePlan.Name("mail.d" + i + ".example", "leaf" + i / perCertificate));
        }
        return names;
    }

    private static String show(ServedObserver.Ask a) {
        return a.endpoint().port() + " " + a.sni().orElse("-");
    }

    @Test
    void aSmallHostIsProbedWhole() {
        List<ServedObserver.Ask> plan = ProbePlan.of(PORTS, names(3, 1), 100, 0);
        assertEquals(List.of("465 -", "993 -", "465 mail.d0.example", "993 mail.d0.example", "465 mail.d1.example",
                "993 mail.d1.example", "465 mail.d2.example", "993 mail.d2.example"),
                plan.stream().map(ProbePlanTest::show).toList());
    }

    @Test
    void everyCertificateIsSeenEachCycleAndTheRestInTurns() {
        List<ProbePlan.Name> names = names(100, 10); // 10 certificates of 10 names
        Set<String> covered = new HashSet<>();
        for (long cycle = 0; cycle < 10; cycle++) {
            List<ServedObserver.Ask> plan = ProbePlan.of(PORTS, names, 42, cycle);
            assertEquals(42, plan.size());
            List<String> shown = plan.stream().map(ProbePlanTest::show).toList();
            assertTrue(shown.containsAll(List.of("465 -", "993 -", "465 mail.d0.example", "993 mail.d90.example")),
                    "no SNI and one name of each certificate, every cycle: " + shown);
            covered.addAll(shown);
        }
        assertEquals(2 + 200, covered.size(), "every name on every port within ceil(180 / 20) = 9 cycles");
    }

    @Test
    void moreCertificatesThanTheBudgetRotateThroughTheCertificates() {
        List<ProbePlan.Name> names = names(5000, 1);
        Set<String> covered = new HashSet<>();
        for (long cycle = 0; cycle < 6; cycle++) {
            List<ServedObserver.Ask> plan = ProbePlan.of(PORTS, names, 2002, cycle);
            assertEquals(2002, plan.size());
            assertEquals(Optional.empty(), plan.get(0).sni());
            covered.addAll(plan.stream().map(ProbePlanTest::show).toList());
        }
        assertEquals(2 + 10_000, covered.size(), "10,000 pairs at 2,000 a cycle: all within 5 cycles");
        assertEquals(List.of("465 -", "993 -"), ProbePlan.of(PORTS, names, 0, 0).stream().map(ProbePlanTest::show)
                .toList(), "each port without SNI even when the budget is smaller");
    }
}
