package org.mailcert.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {
    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"90s, PT1M30S", "30m, PT30M", "1h, PT1H", "7d, PT168H", "1h30m, PT1H30M", "2D, PT48H", " 1h , PT1H",
            "250ms, PT0.25S", "0, PT0S", "0s, PT0S"})
    void parsesNumbersWithUnits(String text, Duration expected) {
        assertEquals(expected, Durations.parse(text));
    }

    @ParameterizedTest(name = "\"{0}\" is refused")
    @ValueSource(strings = {"", "1", "h", "1w", "-1h", "1.5h", "1h 30m", "9999999999d"})
    void refusesAnythingElse(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    }

    @ParameterizedTest(name = "\"{0}\" is not positive")
    @ValueSource(strings = {"0", "0m", "0h0m"})
    void positiveDurationsRefuseZero(String text) {
        assertThrows(IllegalArgumentException.class, () -> Durations.parsePositive(text));
    }
}
