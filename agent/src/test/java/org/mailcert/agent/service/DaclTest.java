package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reading what {@code icacls /save} wrote and judging it. */
class DaclTest {
    private static final String RESTRICTED = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)";

    @Test
    void aDirectoryForSystemAndAdministratorsOnlyPasses() {
        Dacl acl = Dacl.parse("mailcert-agent\r\n" + RESTRICTED + "\r\n");
        assertTrue(acl.protectedFromInheritance());
        assertEquals(List.of(new Dacl.Ace("A", "OICI", "FA", Dacl.SYSTEM), new Dacl.Ace("A", "OICI", "FA",
                Dacl.ADMINISTRATORS)), acl.entries());
        assertEquals(Optional.empty(), acl.problem());
        assertEquals(Optional.empty(), Dacl.parse("D:PAI(A;CIOI;0x1f01ff;;;S-1-5-18)(A;OICI;FA;;;S-1-5-32-544)"
                + "S:AI(ML;;NW;;;HI)").problem());
    }

    @Test
    void whatLetsOthersInIsNamed() {
        assertEquals(Optional.of("it still inherits entries from its parent"),
                Dacl.parse("D:AI(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)").problem());
        Dacl users = Dacl.parse(RESTRICTED.replace("D:PAI", "D:PAI(A;OICI;0x1200a9;;;BU)(D;;FA;;;WD)"));
        assertEquals(List.of("S-1-5-32-545"), users.otherGrantees());
        assertEquals(Optional.of("it also grants S-1-5-32-545"), users.problem());
        assertEquals(Optional.of("S-1-5-32-544 lacks full control (OI)(CI)F"),
                Dacl.parse("D:PAI(A;OICI;FA;;;SY)(A;;FA;;;BA)").problem());
        assertEquals(Optional.of("S-1-5-18 lacks full control (OI)(CI)F"),
                Dacl.parse("D:PAI(A;OICI;FA;;;BA)").problem());
    }

    @Test
    void aDenyEntryIsNoGrantAndAnUnknownAliasStaysAsItIs() {
        Dacl acl = Dacl.parse("D:PAI(D;OICI;FA;;;AU)(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;;FR;;;XX)");
        assertEquals(List.of("XX"), acl.otherGrantees());
        assertFalse(Dacl.isSid("XX"));
        assertTrue(Dacl.isSid("S-1-5-21-1004336348-1177238915-682003330-1001"));
    }

    @Test
    void theSavedFileIsReadAsUtf16OrUtf8() {
        String text = "mailcert-agent\r\n" + RESTRICTED + "\r\n";
        assertEquals(text, AdminOnlyAcl.decode(text.getBytes(UTF_16LE)));
        assertEquals(text, AdminOnlyAcl.decode(("\uFEFF" + text).getBytes(UTF_16LE)));
        assertEquals(text, AdminOnlyAcl.decode(text.getBytes(UTF_8)));
    }

    @Test
    void textWithoutADaclIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Dacl.parse("mailcert-agent\r\n"));
        assertThrows(IllegalArgumentException.class, () -> Dacl.parse("D:P(A;OICI;FA)"));
    }
}
