package org.mailcert.controller.model;

/** What an agent did about one drift item (Puppet's vocabulary). */
public enum DriftAction {
    /** Not something the agent repairs (expiring, untrusted, uncovered domain, ...): reported only. */
    REPORTED,
    /** Mode enforce: repaired in the cycle that reported it (a corrective change). */
    REPAIRED,
    /** Mode report: the agent would repair it and changed nothing. */
    WOULD_CHANGE,
    /** Mode enforce: the repair was tried and failed; the item is still there. */
    REPAIR_FAILED
}
