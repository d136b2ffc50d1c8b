package org.mailcert.controller.drift;

import java.time.Instant;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftMode;

/**
 * One drift item of a host's last report.
 *
 * @param mode     the agent's mode in that report
 * @param reported when the controller received the report
 */
public record HostDrift(String host, DriftItem item, DriftMode mode, Instant reported) {
}
