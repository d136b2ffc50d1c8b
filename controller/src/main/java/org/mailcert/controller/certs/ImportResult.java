package org.mailcert.controller.certs;

import java.util.List;

/** An imported version, assessed, and the warnings the admin should see. */
public record ImportResult(Assessment certificate, List<String> warnings) {
    public ImportResult {
        warnings = List.copyOf(warnings);
    }
}
