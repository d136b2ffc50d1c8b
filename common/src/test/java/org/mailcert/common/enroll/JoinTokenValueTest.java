package org.mailcert.common.enroll;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class JoinTokenValueTest {
    private static final byte[] PIN = new byte[32];

    static {
        Arrays.fill(PIN, (byte) 7);
    }

    @Test
    void aTokenSurvivesEncodingAndParsing() {
        JoinTokenValue t = new JoinTokenValue("abc123", "s3cr3t-_x", PIN);
        JoinTokenValue back = JoinTokenValue.parse(t.encode());
        assertEquals(t, back);
        assertArrayEquals(PIN, back.caSha256());
        assertTrue(t.encode().startsWith("mc1.abc123.s3cr3t-_x."));
        assertEquals("07".repeat(32), back.caSha256Hex());
    }

    @Test
    void toStringNeverShowsTheSecret() {
        assertFalse(new JoinTokenValue("id1", "topsecret", PIN).toString().contains("topsecret"));
    }

    @ParameterizedTest(name = "refuses \"{0}\"")
    @ValueSource(strings = {"", "mc1", "mc2.a.b.BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc", "mc1.a.b.c.d",
            "mc1.a.b.!!!!", "mc1.a.b.AAAA", "mc1.a b.c.BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc",
            "mc1..c.BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"})
    void malformedTokensAreRefusedWithAClearMessage(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JoinTokenValue.parse(text));
        assertFalse(e.getMessage().isBlank());
    }
}
