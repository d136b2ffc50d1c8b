package org.mailcert.controller.drift;

import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;

/**
 * A host in a fleet-wide view: its record, what its agent reported, and where it stands.
 *
 * @param desiredVersion the version it should be at
 * @param connected      whether its agent has a live stream
 */
public record HostSummary(Host host, HostStatus status, long desiredVersion, boolean connected, SyncState state) {
}
