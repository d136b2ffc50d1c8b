package org.mailcert.agent.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.proto.v1.DriftAction;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.HostDriftItem;
import org.mailcert.proto.v1.ListDriftRequest;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.RunOutcome;

/**
 * Drift on a real mail host ({@link RealMailHost}): each kind of tampering an admin or another tool
 * might do is made on purpose, then (a) an agent in {@code enforce} mode repairs it and the
 * controller records a corrective change, (b) an agent in {@code report} mode changes nothing and
 * {@code mailcert drift} lists it with the right reason, (c) what is served is checked by real
 * handshakes, never by reading files.
 */
class DriftIT extends RealMailHost {
    /** Long enough that the file watch, not the timer, finds most of the tampering here. */
    private static final String INTERVAL = "20s";

    @Test
    void enforceModeRepairsEachTamperingAndTheControllerRecordsACorrectiveChange() throws Exception {
        startDriftAgent("enforce");
        Path postfixKey = key("postfix", aSha);

        tamper("delete Postfix's key of mail.a.example.com", () -> Files.delete(postfixKey));
        awaitRepaired("FileMissing", "mail/a.example.com");
        assertTrue(Files.exists(postfixKey), "the key was written again");
        assertServedEverywhere();

        tamper("chmod 0644 the key", () -> Files.setPosixFilePermissions(postfixKey,
                PosixFilePermissions.fromString("rw-r--r--")));
        awaitRepaired("KeyPermissionsWrong", "mail/a.example.com");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(postfixKey)));

        Path source = sniMapSource();
        String map = Files.readString(source);
        tamper("edit Postfix's SNI map", () -> Files.writeString(source, map.replace("mail.a.example.com",
                "mail.elsewhere.example")));
        awaitRepaired("ConfigEdited", "host");
        assertEquals(map, Files.readString(sniMapSource()), "the map source is the agent's again");
        assertServedEverywhere();

        String include = Files.readString(dovecot.include());
        tamper("remove the Dovecot include", () -> Files.delete(dovecot.include()));
        awaitRepaired("ConfigEdited", "host");
        assertEquals(include, Files.readString(dovecot.include()));
        assertServedEverywhere();

        String otherSha = serveAnotherCertificateWithPostfix();
        // The file watch may start the cycle between postconf and the reload: then it finds the edited
        // main.cf before Postfix serves the other certificate. Either finding leads to the same repair;
        // report mode below proves ServedMismatch is found by handshake.
        awaitRepaired(List.of("ServedMismatch", "ConfigEdited"), List.of("server", "host"));
        for (Endpoint e : postfix.endpoints()) {
            assertEquals(serverSha, served(e, null), e + " serves the bound server-wide certificate again, not "
                    + otherSha);
        }
        assertServedEverywhere();
        assertTrue(host().getLastOutcome() == RunOutcome.RUN_OUTCOME_CORRECTIVE_CHANGE
                || host().getLastOutcome() == RunOutcome.RUN_OUTCOME_IN_SYNC, host().toString());
    }

    @Test
    void reportModeChangesNothingAndMailcertDriftListsEachItemWithItsReason() throws Exception {
        startDriftAgent("report");
        Path dovecotKey = key("dovecot", aSha);
        Path postfixKey = key("postfix", aSha);

        Files.delete(dovecotKey);
        Files.setPosixFilePermissions(postfixKey, PosixFilePermissions.fromString("rw-r--r--"));
        Path source = sniMapSource();
        String edited = Files.readString(source).replace("mail.a.example.com", "mail.elsewhere.example");
        Files.writeString(source, edited);
        Files.delete(dovecot.include());
        String otherSha = serveAnotherCertificateWithPostfix();

        awaitDrift("FileMissing", "mail/a.example.com", "dovecot", DriftAction.DRIFT_ACTION_WOULD_CHANGE);
        awaitDrift("KeyPermissionsWrong", "mail/a.example.com", "postfix", DriftAction.DRIFT_ACTION_WOULD_CHANGE);
        awaitDrift("ServedMismatch", "server", "postfix", DriftAction.DRIFT_ACTION_WOULD_CHANGE);
        awaitDrift("ConfigEdited", "host", "postfix", DriftAction.DRIFT_ACTION_WOULD_CHANGE);
        awaitDrift("ConfigEdited", "host", "dovecot", DriftAction.DRIFT_ACTION_WOULD_CHANGE);
        assertEquals(RunOutcome.RUN_OUTCOME_WOULD_CHANGE, host().getLastOutcome());
        assertEquals("drifting", host().getSyncState());

        assertFalse(Files.exists(dovecotKey), "report mode wrote nothing");
        assertFalse(Files.exists(dovecot.include()), "report mode wrote nothing");
        assertEquals(edited, Files.readString(source), "report mode wrote nothing");
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(postfixKey)));
        for (Endpoint e : postfix.endpoints()) {
            assertEquals(otherSha, served(e, null), e + " still serves what the admin put there");
        }

        ControllerProcess.CliResult table = controller.cli("drift", "--host", HOST);
        assertEquals(0, table.exit(), table.output());
        for (String expected : List.of("FileMissing", "KeyPermissionsWrong", "ServedMismatch", "ConfigEdited",
                "would change",
                "mail/a.example.com")) {
            assertTrue(table.output().contains(expected), "mailcert drift shows " + expected + ":\n" + table.output());
        }
        ControllerProcess.CliResult json = controller.cli("drift", "--host", HOST, "--output", "json");
        assertEquals(0, json.exit(), json.output());
        assertTrue(json.output().contains("\"ServedMismatch\""), json.output());

        // A certificate near its end: a new version of "a" that ends in ten days (90-day lifetime).
        // (Its apply restores what was tampered with above: an apply is a desired change, not a repair.)
        Instant now = Instant.now();
        TestPki.Leaf ending = pki.leaf("mail.a.example.com").validity(now.minus(Duration.ofDays(80)),
                now.plus(Duration.ofDays(10))).issue();
        aSha = importCert("a", ending, true);
        awaitDrift("Expiring", "mail/a.example.com", "", DriftAction.DRIFT_ACTION_REPORTED);
        ControllerProcess.CliResult expiring = controller.cli("expiring", "--within", "30d");
        assertEquals(0, expiring.exit(), expiring.output());
        assertTrue(expiring.output().contains(HOST) && expiring.output().contains("a"), expiring.output());
    }

    private void startDriftAgent(String mode) throws Exception {
        Path roots = tmp.resolve("agent-roots.pem");
        Files.writeString(roots, Pem.certificates(List.of(pki.root())));
        startAgent(Map.of(), "--mode", mode, "--drift-interval", INTERVAL, "--extra-roots", roots.toString());
        // uncovered.example.org is a mail domain of the host without a binding: the one item expected.
        await("the agent is in sync and reported a clean drift cycle", 120, () -> inSync()
                && host().getLastOutcome() == RunOutcome.RUN_OUTCOME_IN_SYNC
                && drift().stream().map(i -> i.getItem().getReason()).toList().equals(List.of("DomainUncovered")));
        assertEquals("in_sync", host().getSyncState());
    }

    /** The agent's key file of a certificate in one target's private directory. */
    private Path key(String target, String sha) {
        return agentDir.resolve(target).resolve(sha.substring(0, 16) + ".key.pem");
    }

    /** The source text of the SNI map the agent built for Postfix. */
    private Path sniMapSource() throws Exception {
        try (Stream<Path> files = Files.list(agentDir.resolve("postfix"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("sni-")
                    && !f.getFileName().toString().contains(".")).findFirst().orElseThrow();
        }
    }

    /** Points Postfix's server-wide chain at a certificate the controller never bound, and reloads. */
    private String serveAnotherCertificateWithPostfix() throws Exception {
        TestPki.Leaf other = pki.leaf(HOST).issue();
        Path file = tmp.resolve("other-keychain.pem");
        Files.writeString(file, other.keyPem() + other.chainPem());
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        String sha = Fingerprints.sha256Hex(other.certificate());
        tamper("make Postfix serve another certificate", () -> {
            postfix.postconf("-e", "smtpd_tls_chain_files = " + file);
            postfix.reload();
        });
        return sha;
    }

    private interface Tampering {
        void run() throws Exception;
    }

    private long eventsSeen;

    private void tamper(String what, Tampering t) throws Exception {
        List<Event> before = events();
        eventsSeen = before.isEmpty() ? 0 : before.get(before.size() - 1).getSeq();
        t.run();
        System.out.println("DriftIT: tampered: " + what);
    }

    private List<Event> events() {
        return admin.listEvents(ListEventsRequest.newBuilder().setHost(HOST).setLimit(1000).build()).getEventsList();
    }

    /** Waits for a drift.repaired event of this reason and subject after the last tampering. */
    private void awaitRepaired(String reason, String subject) throws Exception {
        awaitRepaired(List.of(reason), List.of(subject));
    }

    /** Waits for a drift.repaired event of one of these reasons and subjects after the last tampering. */
    private void awaitRepaired(List<String> reasons, List<String> subjects) throws Exception {
        long start = System.nanoTime();
        await("the controller records a repaired " + reasons + " of " + subjects, 90, () -> events().stream()
                .anyMatch(e -> e.getSeq() > eventsSeen && e.getKind().equals("drift.repaired")
                        && subjects.contains(e.getSubject()) && reasons.stream().anyMatch(e.getMessage()::contains)));
        System.out.println("DriftIT: " + reasons + " of " + subjects + " repaired and recorded "
                + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms after the tampering");
    }

    /** Waits until {@code mailcert drift}'s data lists this item with this action. */
    private void awaitDrift(String reason, String subject, String target, DriftAction action) throws Exception {
        await("the controller lists " + reason + " of " + subject + " (" + action + ")", 90, () -> drift().stream()
                .anyMatch(i -> i.getItem().getReason().equals(reason) && i.getItem().getSubject().equals(subject)
                        && (target.isEmpty() || i.getItem().getTarget().equals(target))
                        && i.getItem().getAction() == action));
    }

    private List<HostDriftItem> drift() {
        return admin.listDrift(ListDriftRequest.newBuilder().setHost(HOST).build()).getItemsList();
    }

    /** Every endpoint of both servers serves the bound certificates, by handshake. */
    private void assertServedEverywhere() throws Exception {
        for (Endpoint e : endpoints()) {
            await(e + " serves the bound certificates", 30, () -> aSha.equals(served(e, "mail.a.example.com"))
                    && wildSha.equals(served(e, "mail.example.net")) && serverSha.equals(served(e, null)));
        }
    }
}
