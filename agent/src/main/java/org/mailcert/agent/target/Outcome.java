package org.mailcert.agent.target;

/** What applying did for one binding on one target. */
public enum Outcome {
    /** The binding's certificate was newly installed or replaced. */
    INSTALLED,
    /** The target already served the binding's certificate; nothing was rewritten. */
    UNCHANGED
}
