package org.mailcert.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void alignsColumnsAndShowsEmptyCellsAsDash() {
        String text = Table.columns("NAME", "STATE", "NOTE")
                .row("mx1.example.net", "served", "")
                .row("a", null, "long note")
                .render();
        assertEquals("NAME             STATE   NOTE\n"
                + "mx1.example.net  served  -\n"
                + "a                -       long note\n", text);
    }

    @Test
    void keyValueHasNoHeaderAndCanBeIndented() {
        assertEquals("  host   mx1\n  state  -\n", Table.keyValue().row("host", "mx1").row("state", " ").render("  "));
    }

    @Test
    void controlCharactersCannotBreakTheLayout() {
        assertEquals("a b", Table.cell("a\n\t b"));
        assertEquals("x [31mred", Table.cell("x \u001b[31mred"));
    }

    @Test
    void aListingRowNeedsOneCellPerColumn() {
        assertThrows(IllegalArgumentException.class, () -> Table.columns("NAME", "STATE").row("mx1"));
    }
}
