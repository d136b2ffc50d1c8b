package org.mailcert.agent.target.mail;

/** A target that can say what it found on this host, for the host facts and domain discovery. */
public interface Inspectable {
    /**
     * Reads the software's version, capabilities, enabled TLS endpoints and mail domains. Never
     * throws for what it cannot read: that goes into {@link TargetFacts#problems()}.
     *
     * @throws InterruptedException if interrupted while running the software's tools
     */
    TargetFacts inspect() throws InterruptedException;
}
