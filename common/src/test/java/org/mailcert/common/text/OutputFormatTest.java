package org.mailcert.common.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class OutputFormatTest {
    private final OutputFormat.Converter converter = new OutputFormat.Converter();

    @Test
    void takesTableOrJsonInAnyCase() {
        assertEquals(OutputFormat.TABLE, converter.convert("table"));
        assertEquals(OutputFormat.JSON, converter.convert(" JSON "));
        assertEquals("json", OutputFormat.JSON.toString());
    }

    @Test
    void anythingElseIsAUsageErrorNamingTheChoices() {
        TypeConversionException e = assertThrows(TypeConversionException.class, () -> converter.convert("yaml"));
        assertEquals("'yaml' is not an output format; use table or json", e.getMessage());
    }
}
