package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ControllerAddressTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "localhost:7443        | localhost       | 7443 | localhost:7443",
        "ctl.example.net:8443  | ctl.example.net | 8443 | ctl.example.net:8443",
        "ctl.example.net       | ctl.example.net | 7443 | ctl.example.net:7443",
        "10.0.0.5:1            | 10.0.0.5        | 1    | 10.0.0.5:1",
        "[::1]:7443            | ::1             | 7443 | [::1]:7443",
        "[2001:db8::7]         | 2001:db8::7     | 7443 | [2001:db8::7]:7443",
    })
    void parsesAndPrintsBack(String text, String host, int port, String printed) {
        ControllerAddress address = ControllerAddress.parse(text);
        assertEquals(new ControllerAddress(host, port), address);
        assertEquals(printed, address.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":7443", "host:", "host:0", "host:65536", "host:http", "::1", "[::1", "[::1]7443", "[]:1"})
    void refusesMalformedAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> ControllerAddress.parse(text));
    }
}
