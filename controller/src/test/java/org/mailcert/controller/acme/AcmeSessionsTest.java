package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

class AcmeSessionsTest {
    private final AcmeSessions sessions = new AcmeSessions(Duration.ofSeconds(7));

    @Test
    void aPrivateDirectoryCaGetsItsOwnProviderAndTheTimeoutIsSet() throws Exception {
        String pem = Pem.certificates(java.util.List.of(TestPki.rootCa("Private ACME CA").root()));
        var session = sessions.open(settings("https://acme.internal.test/dir", pem));
        assertEquals(Duration.ofSeconds(7), session.networkSettings().getTimeout());
        assertInstanceOf(GenericAcmeProvider.class, session.provider());
        assertTrue(session.provider().getClass() != GenericAcmeProvider.class, "a provider with our SSL context");
    }

    @Test
    void withoutADirectoryCaTheJdkDefaultsAreUsed() throws Exception {
        var session = sessions.open(settings("https://acme-v02.api.letsencrypt.org/directory", ""));
        assertEquals(GenericAcmeProvider.class, session.provider().getClass());
    }

    @Test
    void aDirectoryCaThatIsNotPemIsAConfigurationError() {
        AcmeException e = assertThrows(AcmeException.class,
                () -> sessions.open(settings("https://acme.internal.test/dir", "not a certificate")));
        assertEquals(Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("not valid PEM"), e.getMessage());
    }

    @Test
    void aDirectoryThatIsNotHttpIsAConfigurationError() {
        AcmeException e = assertThrows(AcmeException.class, () -> sessions.open(settings("acme://pebble", "")));
        assertEquals(Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("https://"), e.getMessage());
    }

    private static AcmeCa.Settings settings(String directory, String pem) {
        return new AcmeCa.Settings(URI.create(directory), pem, "", Optional.empty());
    }
}
