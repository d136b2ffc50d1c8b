package org.mailcert.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.identity.IdentityException;
import org.mailcert.agent.identity.IdentityStore;
import org.mailcert.agent.testing.AgentPki;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.RenewResponse;

class RenewerTest {
    private static final Instant FROM = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant UNTIL = FROM.plus(Duration.ofDays(7));

    @TempDir
    Path data;

    private final AgentPki pki = AgentPki.create();

    private Identity identity() throws Exception {
        return pki.enroll(data, "mx1.example.com", ControllerAddress.parse("c.example:7443"), FROM, UNTIL);
    }

    private Renewer renewer(double random, Instant now) {
        return new Renewer(new IdentityStore(data), Clock.fixed(now, ZoneOffset.UTC), () -> random);
    }

    @Test
    void renewalFallsAtHalfTheLifeWithinTenPercent() throws Exception {
        Identity id = identity();
        assertEquals(FROM.plus(Duration.ofHours(84)), renewer(0.5, FROM).renewAt(id));
        assertEquals(FROM.plus(Duration.ofMinutes(Math.round(84 * 60 * 0.9))), renewer(0.0, FROM).renewAt(id));
        assertEquals(FROM.plus(Duration.ofMinutes(Math.round(84 * 60 * 1.1))), renewer(1.0, FROM).renewAt(id));
    }

    @Test
    void theDelayIsZeroOnceDueAndAPauseMovesItOut() throws Exception {
        Identity id = identity();
        Renewer r = renewer(0.5, FROM.plus(Duration.ofDays(5)));
        assertEquals(Duration.ZERO, r.delay(id));
        r.blockFor(Duration.ofHours(1));
        assertEquals(Duration.ofHours(1), r.delay(id));
    }

    @Test
    void aRenewedCertificateMustBeForThePendingKeyAndFromTheCa() throws Exception {
        Identity id = identity();
        Renewer r = renewer(0.5, Instant.now());
        var csr = r.request(id).getCsr().toByteArray();
        X509Certificate good = pki.client(Csrs.verifiedPublicKey(csr), "mx1.example.com", Duration.ofDays(7));
        KeyPair other = Keys.generate(Keys.KeyType.EC256);
        X509Certificate wrongKey = pki.client(other.getPublic(), "mx1.example.com", Duration.ofDays(7));
        X509Certificate wrongCa = TestPki.rootCa("rogue").leaf("mx1.example.com")
                .keyPair(other).issue().certificate();

        assertThrows(IdentityException.class, () -> r.accept(id, response(wrongKey)));
        r.request(id);
        assertThrows(IdentityException.class, () -> r.accept(id, response(wrongCa)));
        assertThrows(IdentityException.class, () -> r.accept(id, response(good)), "nothing pending any more");

        Renewer fresh = renewer(0.5, Instant.now());
        X509Certificate issued = pki.client(Csrs.verifiedPublicKey(fresh.request(id).getCsr().toByteArray()),
                "mx1.example.com", Duration.ofDays(7));
        assertEquals(issued, fresh.accept(id, response(issued)));
        assertEquals(issued, new IdentityStore(data).loadNext().orElseThrow().certificate());
        assertTrue(new IdentityStore(data).load().certificate().equals(id.certificate()), "current unchanged");
    }

    private static RenewResponse response(X509Certificate cert) {
        return RenewResponse.newBuilder().setCertificatePem(Pem.certificates(List.of(cert))).build();
    }
}
