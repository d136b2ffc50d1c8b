package org.mailcert.agent;

/** The agent's version as the jar manifest states it. */
public final class AgentVersion {
    private AgentVersion() {
    }

    /** The Implementation-Version of the agent jar, or {@code dev} when run from classes. */
    public static String current() {
        String v = AgentVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
