package org.mailcert.agent.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.Keys;

class IdentityStoreTest {
    private static final ControllerAddress CONTROLLER = ControllerAddress.parse("controller.example.net:7443");

    @TempDir
    Path data;

    private final AgentPki pki = AgentPki.create();

    @Test
    void aMissingIdentitySaysHowToEnroll() {
        IdentityException e = assertThrows(IdentityException.class, () -> new IdentityStore(data).load());
        assertEquals(IdentityException.Reason.MISSING, e.reason());
        assertTrue(e.getMessage().contains("mailcert-agent enroll --controller HOST:PORT --token TOKEN"));
    }

    @Test
    void settingsSurviveARoundTrip() throws Exception {
        Identity saved = pki.enroll(data, "mx1.example.com", ControllerAddress.parse("[::1]:8443"));
        IdentityStore store = new IdentityStore(data);
        assertEquals(new AgentSettings(ControllerAddress.parse("[::1]:8443"), "mx1.example.com", "h-mx1.example.com"),
                store.loadSettings());
        assertEquals(saved.certificate(), store.load().certificate());
    }

    @Test
    void anExpiredIdentitySaysWhenAndWhatToDo() throws Exception {
        Identity id = pki.enroll(data, "mx1.example.com", CONTROLLER, Instant.parse("2024-01-01T00:00:00Z"),
                Instant.parse("2024-01-08T00:00:00Z"));
        IdentityException e = assertThrows(IdentityException.class,
                () -> id.requireUnexpired(Instant.parse("2024-02-01T00:00:00Z")));
        assertEquals(IdentityException.Reason.EXPIRED, e.reason());
        assertEquals("identity expired on 2024-01-08T00:00:00Z; create a new token with `mailcert token create"
                + " --host mx1.example.com` and run `mailcert-agent enroll` again", e.getMessage());
    }

    @Test
    void aRenewedIdentityIsPromotedOverTheCurrentOne() throws Exception {
        pki.enroll(data, "mx1.example.com", CONTROLLER);
        IdentityStore store = new IdentityStore(data);
        KeyPair next = Keys.generate(Keys.KeyType.EC256);
        X509Certificate cert = pki.client(next.getPublic(), "mx1.example.com", Duration.ofDays(7));

        store.saveNext(next.getPrivate(), List.of(cert));
        assertEquals(cert, store.loadNext().orElseThrow().certificate());
        assertFalse(store.load().certificate().equals(cert), "not current before promotion");
        store.promoteNext();

        assertEquals(cert, store.load().certificate());
        assertTrue(store.loadNext().isEmpty());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("identity/agent.key"))));
    }

    @Test
    void aPromotionInterruptedBetweenTheTwoRenamesIsFinishedOnLoad() throws Exception {
        pki.enroll(data, "mx1.example.com", CONTROLLER);
        IdentityStore store = new IdentityStore(data);
        KeyPair next = Keys.generate(Keys.KeyType.EC256);
        X509Certificate cert = pki.client(next.getPublic(), "mx1.example.com", Duration.ofDays(7));
        store.saveNext(next.getPrivate(), List.of(cert));
        Path dir = data.resolve("identity");
        Files.move(dir.resolve("next.key"), dir.resolve("agent.key"), StandardCopyOption.REPLACE_EXISTING);

        Identity loaded = store.load();

        assertEquals(cert, loaded.certificate());
        assertTrue(Keys.matches(loaded.key(), loaded.certificate()));
        assertFalse(Files.exists(dir.resolve("next.pem")));
    }

    @Test
    void aHalfWrittenRenewalIsDiscarded() throws Exception {
        pki.enroll(data, "mx1.example.com", CONTROLLER);
        IdentityStore store = new IdentityStore(data);
        KeyPair next = Keys.generate(Keys.KeyType.EC256);
        X509Certificate other = pki.client(Keys.generate(Keys.KeyType.EC256).getPublic(), "mx1.example.com",
                Duration.ofDays(7));
        store.saveNext(next.getPrivate(), List.of(other));

        assertTrue(store.loadNext().isEmpty());
        assertFalse(Files.exists(data.resolve("identity/next.key")));
    }

    @Test
    void aKeyThatDoesNotMatchIsDamaged() throws Exception {
        pki.enroll(data, "mx1.example.com", CONTROLLER);
        Path other = Files.createDirectories(data.resolve("other"));
        pki.enroll(other, "mx1.example.com", CONTROLLER);
        Files.copy(other.resolve("identity/agent.key"), data.resolve("identity/agent.key"),
                StandardCopyOption.REPLACE_EXISTING);

        IdentityException e = assertThrows(IdentityException.class, () -> new IdentityStore(data).load());
        assertEquals(IdentityException.Reason.DAMAGED, e.reason());
        assertTrue(e.getMessage().contains("enroll again"), e.getMessage());
    }
}
