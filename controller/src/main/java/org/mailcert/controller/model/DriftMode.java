package org.mailcert.controller.model;

/** Whether an agent repairs drift or only reports it. */
public enum DriftMode {
    /** The agent did not say. */
    UNKNOWN,
    /** Repair drift, then report it as a corrective change (the agent's default). */
    ENFORCE,
    /** Report drift only; change nothing. */
    REPORT
}
