package org.mailcert.controller.sync;

import java.util.Collection;

/** Told after a committed write which hosts' desired state (or standing) it changed. */
@FunctionalInterface
public interface FleetChanges {
    /** Does nothing: for tools and tests without agents. */
    FleetChanges NONE = hosts -> { };

    /** The desired state or the standing (revoked) of these hosts changed. */
    void hostsChanged(Collection<String> hosts);
}
