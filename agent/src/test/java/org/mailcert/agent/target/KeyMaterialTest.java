package org.mailcert.agent.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.testing.TestPki;

class KeyMaterialTest {
    private final TestPki.Leaf leaf = TestBindings.leaf("mail.example.com");

    @Test
    void encodesOnceAndAsTheParsedChainAndKeyAre() {
        KeyMaterial m = new KeyMaterial(leaf.chain(), leaf.key());
        assertEquals(Pem.privateKey(leaf.key()), m.keyPem());
        assertEquals(Pem.certificates(leaf.chain()), m.fullChainPem());
        assertSame(m.keyPem(), m.keyPem(), "the key's PEM is made once");
        assertSame(m.fullChainPem(), m.fullChainPem(), "the chain's PEM is made once");
    }

    @Test
    void bindingsSharingOneMaterialShareItsEncodingAndCompareByContent() {
        KeyMaterial shared = new KeyMaterial(leaf.chain(), leaf.key());
        Binding a = new Binding("mail/example.com", Scope.MAIL, "example.com", "mail.example.com", "c", 1,
                TestBindings.sha(leaf), shared);
        Binding b = new Binding("mail/example.com", Scope.MAIL, "example.com", "mail.example.com", "c", 1,
                TestBindings.sha(leaf), shared);
        assertSame(a.keyPem(), b.keyPem());
        Binding own = new Binding("mail/example.com", Scope.MAIL, "example.com", "mail.example.com", "c", 1,
                TestBindings.sha(leaf), leaf.chain(), leaf.key());
        assertEquals(a, own, "equal chain and key make equal bindings, whoever encoded them");
        TestPki.Leaf other = TestBindings.leaf("mail.example.com");
        assertNotEquals(shared, new KeyMaterial(other.chain(), other.key()));
    }

    @Test
    void refusesAnEmptyChainAndNeverShowsTheKey() {
        assertThrows(IllegalArgumentException.class, () -> new KeyMaterial(List.of(), leaf.key()));
        KeyMaterial m = new KeyMaterial(leaf.chain(), leaf.key());
        assertTrue(m.toString().contains("mail.example.com"), m.toString());
        assertFalse(m.toString().contains("PRIVATE"), m.toString());
        assertFalse(m.toString().contains(m.keyPem().lines().skip(1).findFirst().orElseThrow()), m.toString());
    }
}
