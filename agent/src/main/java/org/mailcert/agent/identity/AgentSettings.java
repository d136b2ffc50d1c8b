package org.mailcert.agent.identity;

import java.util.Objects;
import org.mailcert.common.net.ControllerAddress;

/**
 * What enrollment learned and {@code run} needs besides the key material: where the controller is
 * and who this host is. Stored as {@code <data-dir>/agent.yaml}.
 *
 * @param controller the controller's address, as given to {@code enroll --controller}
 * @param host the host's FQDN, as the controller named it
 * @param hostId the controller's id for the host
 */
public record AgentSettings(ControllerAddress controller, String host, String hostId) {
    /** Refuses nulls. */
    public AgentSettings {
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(hostId, "hostId");
    }
}
