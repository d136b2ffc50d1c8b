package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelegationTest {
    @Test
    void hostPortIsParsedIncludingBracketedIpv6() {
        assertEquals(new InetSocketAddress("127.0.0.1", 5353), Delegation.socketAddress("127.0.0.1:5353"));
        assertEquals(new InetSocketAddress("::1", 53), Delegation.socketAddress("[::1]:53"));
    }

    @Test
    void checkingAServerDoesNotLookItsNameUp() {
        InetSocketAddress unresolved = Delegation.unresolved("ns1.example.invalid:5353");
        assertTrue(unresolved.isUnresolved());
        assertEquals("ns1.example.invalid", unresolved.getHostString());
        assertEquals(5353, unresolved.getPort());
    }

    @Test
    void aServerWithoutAUsablePortIsRejected() {
        for (String bad : new String[] {"127.0.0.1", "127.0.0.1:", ":53", "127.0.0.1:dns", "127.0.0.1:0", "127.0.0.1:70000"}) {
            assertThrows(IllegalArgumentException.class, () -> Delegation.socketAddress(bad), bad);
        }
    }

    @Test
    void namesBecomeAbsolute() throws Exception {
        assertEquals("_acme-challenge.example.com.", Delegation.absolute("_acme-challenge.example.com").toString());
        assertEquals("_acme-challenge.example.com.", Delegation.absolute("_acme-challenge.example.com.").toString());
    }

    @Test
    void aMalformedNameIsAConfigurationError() {
        AcmeException e = assertThrows(AcmeException.class, () -> Delegation.absolute("a..b"));
        assertEquals(AcmeException.Kind.CONFIGURATION, e.kind());
        assertTrue(e.getMessage().contains("'a..b'"), e.getMessage());
    }

    @Test
    void anOverrideNeedsServersAndAPort() {
        assertThrows(IllegalArgumentException.class, () -> Delegation.using(List.of(), 53));
        assertThrows(IllegalArgumentException.class, () -> Delegation.using(List.of("127.0.0.1:53"), 0));
    }
}
