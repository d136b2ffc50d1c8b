package org.mailcert.controller.model;

/** The result of one drift cycle on an agent, in Puppet's words. */
public enum RunOutcome {
    /** The agent did not say. */
    UNKNOWN,
    /** Nothing differs that the agent could repair (expiring certificates may still be listed). */
    IN_SYNC,
    /** Mode enforce: something differed and was repaired. */
    CORRECTIVE_CHANGE,
    /** Mode report: something differs that enforce mode would repair. */
    WOULD_CHANGE,
    /** A repair failed, or the host could not be observed. */
    FAILED
}
