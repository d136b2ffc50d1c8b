package org.mailcert.common.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

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
    @NullSource
    @ValueSource(strings = {"", ":7443", "host:", "host:0", "host:65536", "host:http", "::1", "[::1", "[::1]7443", "[]:1"})
    void refusesMalformedAddresses(String text) {
        assertThrows(IllegalArgumentException.class, () -> ControllerAddress.parse(text));
    }

    @Test
    void theDefaultIsLocalhostOnTheDefaultPort() {
        assertEquals("localhost:7443", ControllerAddress.DEFAULT.toString());
    }

    @Test
    void theConverterTurnsABadValueIntoAUsageError() {
        assertEquals(new ControllerAddress("::1", 8443), new ControllerAddress.Converter().convert("[::1]:8443"));
        TypeConversionException e = assertThrows(TypeConversionException.class,
                () -> new ControllerAddress.Converter().convert(" "));
        assertEquals("the controller address is empty; expected HOST:PORT", e.getMessage());
    }
}
