package org.mailcert.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.testing.Reports.item;
import static org.mailcert.controller.testing.Reports.report;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.RunOutcome;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.sync.DesiredStates;
import org.mailcert.controller.sync.StateUpdate;
import org.mailcert.controller.sync.SyncHub;
import org.mailcert.controller.sync.SyncSession;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.controller.testing.RecordingSink;

/** The exposition text, parsed back: fleet gauges, counters, per-certificate expiry, label escaping. */
class ControllerMetricsTest {
    private static final String MX1 = "mx1.example.net";
    private static final String MX2 = "mx2.example.net";
    /** An agent may send any text as a reason; it must not break the exposition format. */
    private static final String ODD_REASON = "Odd\"Reason\\with\nnewline";

    @TempDir
    Path dir;
    Controllers c;
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    SyncHub hub;
    Instant soonEnds;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        for (String h : List.of(MX1, MX2)) {
            c.declareHost(h);
            c.setSni(h, SniSupport.YES);
        }
        var soon = c.pki.leaf("mail.a.example").validFor(Duration.ofDays(10)).issue();
        soonEnds = soon.certificate().getNotAfter().toInstant();
        c.importLeaf("soon", soon);
        c.bindings.bind(Controllers.OPERATOR, MX1, Scope.MAIL, "a.example", "soon");
        c.bindings.bind(Controllers.OPERATOR, MX2, Scope.MAIL, "a.example", "soon");
        c.markEnrolled(MX1);
        c.connected.add(MX1);
        hub = new SyncHub(c.store, new DesiredStates(c.store), executor, 1, 4, SyncSession.PAGE_BYTES);
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        c.close();
    }

    private String render() {
        return new ControllerMetrics(c.store, hub, c.drift).render();
    }

    /** Runs a stream of MX1 that refuses its first state and reports drift, as an agent in report mode would. */
    private void agentRefusesAndReports() throws Exception {
        RecordingSink sink = new RecordingSink();
        SyncSession s = RecordingSink.hello(hub, c.store.host(MX1).orElseThrow(), sink);
        StateUpdate u = sink.next();
        s.nack(u.version(), u.nonce(), "postfix check failed");
        s.report(report(0, RunOutcome.WOULD_CHANGE,
                item("mail/a.example", "FileMissing", "postfix", DriftAction.WOULD_CHANGE),
                item("mail/a.example", "FileChanged", "dovecot", DriftAction.REPAIRED),
                item("host", ODD_REASON, "", DriftAction.REPORTED)));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.store.hostStatus(MX1).lastReport().isEmpty() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    @Test
    void fleetGaugesAndCountersParseBack() throws Exception {
        agentRefusesAndReports();
        Map<String, Double> m = parse(render());
        assertEquals(1.0, m.get("mailcert_hosts_connected"));
        assertEquals(1.0, m.get("mailcert_hosts_by_sync_state{state=failing}"), "MX1 refused its state");
        assertEquals(1.0, m.get("mailcert_hosts_by_sync_state{state=pending}"), "MX2 never enrolled");
        assertEquals(0.0, m.get("mailcert_hosts_by_sync_state{state=in_sync}"));
        assertEquals(0.0, m.get("mailcert_hosts_by_sync_state{state=drifting}"));
        assertEquals(0.0, m.get("mailcert_hosts_by_sync_state{state=revoked}"));
        assertEquals(1.0, m.get("mailcert_drift_items{reason=FileMissing}"));
        assertEquals(null, m.get("mailcert_drift_items{reason=FileChanged}"), "repaired items are not outstanding");
        assertEquals(1.0, m.get("mailcert_drift_items{reason=" + ODD_REASON + "}"), "the escaped label parses back");
        assertEquals(1.0, m.get("mailcert_apply_failures_total"));
        assertEquals(1.0, m.get("mailcert_drift_reports_total"));
        assertEquals(1.0, m.get("mailcert_agent_streams"));
        assertEquals(1.0, m.get("mailcert_hosts{state=enrolled}"));
        assertEquals(2.0, m.get("mailcert_bindings{scope=mail}"));
    }

    @Test
    void expiryDaysPerCertificateAndHost() {
        double days = (soonEnds.toEpochMilli() - c.clock.instant().toEpochMilli()) / 86_400_000.0;
        Map<String, Double> m = parse(render());
        for (String host : List.of(MX1, MX2)) {
            Double v = m.get("mailcert_certificate_expiry_days{certificate=soon,host=" + host + "}");
            assertNotNull(v, host + " in " + m.keySet());
            assertEquals(days, v, 0.001);
        }
        c.clock.advance(Duration.ofDays(11));
        double after = parse(render()).get("mailcert_certificate_expiry_days{certificate=soon,host=" + MX1 + "}");
        assertTrue(after < 0, "an ended certificate has negative days: " + after);
    }

    @Test
    void everySampleBelongsToAFamilyWithHelpAndTypeAndNoFamilyRepeats() throws Exception {
        agentRefusesAndReports();
        Set<String> typed = new HashSet<>();
        Set<String> helped = new HashSet<>();
        for (String line : render().split("\n")) {
            if (line.startsWith("# HELP ")) {
                assertTrue(helped.add(line.split(" ")[2]), "HELP twice: " + line);
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.split(" ");
                assertTrue(typed.add(parts[2]), "TYPE twice: " + line);
                assertTrue(Set.of("gauge", "counter").contains(parts[3]), line);
                assertEquals(parts[2].endsWith("_total"), parts[3].equals("counter"), line);
            } else {
                String name = line.split("[{ ]")[0];
                assertTrue(typed.contains(name) && helped.contains(name), "sample before its family: " + line);
            }
        }
        assertTrue(typed.containsAll(List.of("mailcert_hosts_connected", "mailcert_hosts_by_sync_state",
                "mailcert_drift_items", "mailcert_certificate_expiry_days", "mailcert_apply_failures_total",
                "mailcert_drift_reports_total", "mailcert_agent_streams")), typed.toString());
    }

    @Test
    void acmeAttemptsAreCountedByResultAndKind() {
        org.mailcert.controller.issuers.AcmeCounters acme = new org.mailcert.controller.issuers.AcmeCounters();
        acme.issued();
        acme.failed("dns");
        acme.failed("dns");
        acme.failed("rate_limited");
        String text = new ControllerMetrics(c.store, hub, c.drift, acme, () -> 7).render();
        Map<String, Double> m = parse(text);
        assertEquals(1.0, m.get("mailcert_acme_attempts_total{result=issued}"));
        assertEquals(3.0, m.get("mailcert_acme_attempts_total{result=failed}"));
        assertEquals(2.0, m.get("mailcert_acme_failures_total{kind=dns}"));
        assertEquals(1.0, m.get("mailcert_acme_failures_total{kind=rate_limited}"));
        assertEquals(0.0, m.get("mailcert_acme_certificates_failing"));
        assertEquals(7.0, m.get("mailcert_events_pruned_total"));
        assertEquals((double) c.store.lastEventSeq(), m.get("mailcert_event_seq"));
        assertTrue(c.store.lastEventSeq() > 0);
        assertEquals(0.0, parse(render()).get("mailcert_acme_attempts_total{result=failed}"));
    }

    @Test
    void labelValuesAreEscaped() {
        assertEquals("a\\\\b\\\"c\\nd", ControllerMetrics.escape("a\\b\"c\nd"));
        assertEquals("plain", ControllerMetrics.escape("plain"));
    }

    private static final Pattern SAMPLE = Pattern.compile("([a-z_]+)(?:\\{(.*)\\})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\",?");

    /** Samples as {@code name{label=value,...}} (values unescaped, labels in order) to value. */
    static Map<String, Double> parse(String text) {
        Map<String, Double> out = new HashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || line.isEmpty()) {
                continue;
            }
            Matcher s = SAMPLE.matcher(line);
            assertTrue(s.matches(), "not a sample line: " + line);
            String key = s.group(1);
            if (s.group(2) != null) {
                Map<Integer, String> labels = new TreeMap<>();
                Matcher l = LABEL.matcher(s.group(2));
                int at = 0;
                while (l.find()) {
                    assertEquals(at, l.start(), "garbage in labels: " + line);
                    labels.put(labels.size(), l.group(1) + "=" + unescape(l.group(2)));
                    at = l.end();
                }
                assertEquals(s.group(2).length(), at, "unparsed labels: " + line);
                key += "{" + String.join(",", labels.values()) + "}";
            }
            out.put(key, Double.parseDouble(s.group(3)));
        }
        return out;
    }

    private static String unescape(String v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char ch = v.charAt(i);
            if (ch == '\\') {
                char next = v.charAt(++i);
                b.append(next == 'n' ? '\n' : next);
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }
}
