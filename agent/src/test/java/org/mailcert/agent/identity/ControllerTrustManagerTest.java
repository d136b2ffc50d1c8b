package org.mailcert.agent.identity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;

class ControllerTrustManagerTest {
    private final TestPki ca = TestPki.rootCa("controller CA");
    private final TestPki.Leaf server = ca.leaf("controller.example.net", "localhost").ipAddresses("127.0.0.1", "::1")
            .issue();

    private byte[] pin(X509Certificate c) {
        return HexFormat.of().parseHex(Fingerprints.sha256Hex(c));
    }

    private X509Certificate[] presented() {
        return List.of(server.certificate(), ca.root()).toArray(new X509Certificate[0]);
    }

    @Test
    void thePinnedCaInTheChainIsTrustedForItsNames() {
        for (String host : List.of("controller.example.net", "localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1")) {
            ControllerTrustManager tm = ControllerTrustManager.pinned(pin(ca.root()), host);
            assertDoesNotThrow(() -> tm.checkServerTrusted(presented(), "ECDHE_ECDSA"), host);
        }
    }

    @Test
    void noCertificateMatchingThePinIsAPinMismatch() {
        ControllerTrustManager tm = ControllerTrustManager.pinned(pin(TestPki.rootCa("other").root()), "localhost");
        CertificateException e = assertThrows(CertificateException.class,
                () -> tm.checkServerTrusted(presented(), "ECDHE_ECDSA"));
        assertTrue(tm.pinMismatch());
        assertTrue(e.getMessage().contains("CA pin"), e.getMessage());
    }

    @Test
    void aServerCertificateNotIssuedByThePinnedCaIsRefused() {
        TestPki.Leaf rogue = TestPki.rootCa("rogue").leaf("localhost").issue();
        ControllerTrustManager tm = ControllerTrustManager.pinned(pin(ca.root()), "localhost");
        assertThrows(CertificateException.class, () -> tm.checkServerTrusted(
                new X509Certificate[] {rogue.certificate(), ca.root()}, "ECDHE_ECDSA"));
        assertFalse(tm.pinMismatch());
        assertTrue(tm.failure().isPresent());
    }

    @Test
    void aNameTheCertificateDoesNotCarryIsRefused() {
        for (String host : List.of("mail.example.net", "127.0.0.2", "controller.example.net.evil")) {
            ControllerTrustManager tm = ControllerTrustManager.anchored(ca.root(), host);
            CertificateException e = assertThrows(CertificateException.class,
                    () -> tm.checkServerTrusted(presented(), "ECDHE_ECDSA"), host);
            assertTrue(e.getMessage().contains("does not name " + host), e.getMessage());
        }
    }

    @Test
    void anAnchoredManagerTrustsOnlyItsCa() {
        ControllerTrustManager tm = ControllerTrustManager.anchored(TestPki.rootCa("other").root(), "localhost");
        assertThrows(CertificateException.class, () -> tm.checkServerTrusted(presented(), "ECDHE_ECDSA"));
        assertDoesNotThrow(() -> ControllerTrustManager.anchored(ca.root(), "localhost")
                .checkServerTrusted(new X509Certificate[] {server.certificate()}, "ECDHE_ECDSA"));
    }

    @Test
    void anExpiredServerCertificateIsRefused() {
        TestPki.Leaf old = ca.leaf("localhost").expired().issue();
        assertThrows(CertificateException.class, () -> ControllerTrustManager.anchored(ca.root(), "localhost")
                .checkServerTrusted(new X509Certificate[] {old.certificate()}, "ECDHE_ECDSA"));
    }
}
