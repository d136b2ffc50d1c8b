package org.mailcert.agent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLinesTest {

    @Test
    void plainWordsBecomeArguments() {
        assertEquals(List.of("systemctl", "reload", "postfix"), CommandLines.split("systemctl reload postfix"));
    }

    @Test
    void quotedWordsStayOneArgumentWithoutTheirQuotes() {
        assertEquals(List.of("/bin/sh", "-c", "echo hi; exit 3"), CommandLines.split("/bin/sh -c 'echo hi; exit 3'"));
        assertEquals(List.of("/bin/sh", "-c", "echo hi"), CommandLines.split("/bin/sh -c \"echo hi\""));
        assertEquals(List.of("logger", "say \"x\" now"), CommandLines.split("logger 'say \"x\" now'"));
    }

    @Test
    void shellSyntaxHasNoMeaning() {
        assertEquals(List.of("echo", "$HOME", "|", "cat"), CommandLines.split("echo $HOME | cat"));
    }

    @Test
    void emptyOrUnbalancedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> CommandLines.split("  "));
        assertThrows(IllegalArgumentException.class, () -> CommandLines.split("echo 'open"));
    }
}
