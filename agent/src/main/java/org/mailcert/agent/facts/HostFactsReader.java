package org.mailcert.agent.facts;

import org.mailcert.agent.AgentVersion;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.SniSupport;

/**
 * Collects the host facts sent with Enroll and Hello. This build reports the operating system and
 * the agent version; which mail software runs (and so SNI support) is left unknown until the
 * mail-server targets detect it.
 */
public final class HostFactsReader {
    private HostFactsReader() {
    }

    /** The facts of the machine this JVM runs on. */
    public static HostFacts current() {
        return HostFacts.newBuilder()
                .setOs(System.getProperty("os.name", "unknown") + " " + System.getProperty("os.version", ""))
                .setAgentVersion(AgentVersion.current())
                .setSni(SniSupport.SNI_SUPPORT_UNKNOWN)
                .build();
    }
}
