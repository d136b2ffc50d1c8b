package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExecHookCommandWordsTest {
    @Test
    void blanksSeparateWords() {
        assertEquals(List.of("/usr/local/bin/hook", "--zone", "example.com"),
                CommandWords.split("  /usr/local/bin/hook \t--zone   example.com "));
    }

    @Test
    void quotesGroupAWordAndAreRemoved() {
        assertEquals(List.of("/bin/sh", "-c", "echo \"$MAILCERT_VALUE\" > /tmp/x", "it's", ""),
                CommandWords.split("/bin/sh -c 'echo \"$MAILCERT_VALUE\" > /tmp/x' \"it's\" ''"));
    }

    @Test
    void quotedPartsJoinTheWordAroundThem() {
        assertEquals(List.of("--name=a b"), CommandWords.split("--name='a b'"));
    }

    @Test
    void nothingElseIsSpecial() {
        assertEquals(List.of("$HOME", "*.txt", "a|b", "back\\slash"), CommandWords.split("$HOME *.txt a|b back\\slash"));
    }

    @Test
    void anUnclosedQuoteOrAnEmptyLineIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CommandWords.split("/bin/hook 'oops"));
        assertTrue(e.getMessage().contains("unclosed ' quote"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CommandWords.split(" "));
        assertThrows(IllegalArgumentException.class, () -> CommandWords.split(null));
    }
}
