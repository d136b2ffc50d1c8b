package org.mailcert.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostPortTest {
    @ParameterizedTest(name = "{0} is host {1} port {2}")
    @CsvSource({"0.0.0.0:7443,0.0.0.0,7443", "[::1]:7443,::1,7443", "localhost:0,localhost,0"})
    void listenAddressesParse(String text, String host, int port) {
        assertEquals(new java.net.InetSocketAddress(host, port), HostPort.parse("--listen", text));
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {"7443", ":7443", "host:", "host:x", "host:70000", "::1:7443", "[::1]7443"})
    void malformedAddressesAreRefusedNamingTheOption(String text) {
        var e = assertThrows(IllegalArgumentException.class, () -> HostPort.parse("--listen", text));
        assertTrue(e.getMessage().startsWith("--listen \"" + text + "\""), e.getMessage());
    }
}
