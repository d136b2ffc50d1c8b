package org.mailcert.agent.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mailcert-agent}: the per-host agent. This build carries only its command frame;
 * enrollment, sync and targets come with the agent issue, and the README says so.
 */
@Command(name = "mailcert-agent", mixinStandardHelpOptions = true, versionProvider = AgentMain.Version.class,
        description = "The mailcert agent (enroll, run, status arrive with the agent work; see README).")
public final class AgentMain implements Runnable {

    /** Entry point. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new AgentMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AgentMain.class.getPackage().getImplementationVersion();
            return new String[] {"mailcert-agent " + (v == null ? "dev" : v)};
        }
    }
}
