package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuthoritativeCheckTest {
    @Test
    void thePollIntervalMustBePositive() {
        Delegation lookup = Delegation.using(List.of("127.0.0.1:53"), 53);
        assertThrows(IllegalArgumentException.class, () -> new AuthoritativeCheck(lookup, Clock.systemUTC(), Duration.ZERO));
        assertThrows(IllegalArgumentException.class,
                () -> new AuthoritativeCheck(lookup, Clock.systemUTC(), Duration.ofSeconds(-1)));
    }
}
