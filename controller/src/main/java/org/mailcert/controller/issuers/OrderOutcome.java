package org.mailcert.controller.issuers;

import java.util.Optional;
import org.mailcert.controller.certs.ImportResult;
import org.mailcert.controller.model.AcmeOrder;

/** How one ACME attempt went: the stored version if it was issued, and the order record afterwards. */
public record OrderOutcome(Optional<ImportResult> issued, AcmeOrder order) {
}
