package org.mailcert.agent.service;

import java.util.Objects;

/**
 * The WinSW 2.x configuration ({@code mailcert-agent-service.xml}, beside the wrapper executable, which finds
 * it by its base name) that runs {@code java -cp mailcert-agent.jar ... run --config <data-dir>\config.yaml}
 * as the service {@code mailcert-agent} under LocalSystem: started automatically (delayed), restarted after
 * a failure (10 s, 10 s, then every 60 s; the count resets after an hour), stopped with Ctrl+C so the JVM
 * runs its shutdown hooks (15 s, then killed), output in {@code <data-dir>\logs} rolled by size. Paths are
 * Windows paths as text and joined with a backslash, so the file renders the same on any build machine.
 *
 * @param javaExe the absolute path of {@code java.exe}
 * @param installDir where {@code mailcert-agent.jar} and the wrapper live
 * @param dataDir the agent's data dir, which holds {@code config.yaml} and the logs
 */
public record WinswConfig(String javaExe, String installDir, String dataDir) {
    /** The service's name (WinSW's {@code <id>}). */
    public static final String SERVICE_ID = "mailcert-agent";
    /** The wrapper executable's file name in the install dir. */
    public static final String WRAPPER_EXE = "mailcert-agent-service.exe";
    /** The wrapper configuration's file name in the install dir. */
    public static final String WRAPPER_XML = "mailcert-agent-service.xml";
    /** The agent jar's file name in the install dir. */
    public static final String JAR = "mailcert-agent.jar";
    /** The settings file of {@code run} in the data dir. */
    public static final String CONFIG = "config.yaml";
    /** The log directory's name in the data dir. */
    public static final String LOGS = "logs";

    /**
     * Refuses values WinSW or the Windows command line would change: {@code %} (WinSW expands
     * {@code %NAME%} everywhere in the file), {@code "} (ends a quoted argument) and control characters.
     */
    public WinswConfig {
        for (String path : new String[] {javaExe, installDir, dataDir}) {
            Objects.requireNonNull(path, "path");
            if (path.isBlank() || path.matches("(?s).*[%\"\\p{Cntrl}].*")) {
                throw new IllegalArgumentException("the path '" + path + "' cannot be used in the service"
                        + " configuration: it must not be empty or contain %, \" or control characters");
            }
        }
    }

    /** The XML document. */
    public String render() {
        String jar = installDir + "\\" + JAR;
        String config = dataDir + "\\" + CONFIG;
        String arguments = "-cp \"" + jar + "\" org.mailcert.agent.cli.AgentMain run --config \"" + config + "\"";
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!-- Written by `mailcert-agent service install` (install-agent.ps1) on every install: edit the"
                + " agent's settings in config.yaml in its data dir instead. -->\n"
                + "<service>\n"
                + element("id", SERVICE_ID)
                + element("name", "mailcert agent")
                + element("description", "Installs the TLS certificates the mailcert controller assigns to this"
                        + " host into its mail and web servers.")
                + element("executable", javaExe)
                + element("arguments", arguments)
                + element("workingdirectory", dataDir)
                + element("startmode", "Automatic")
                + "  <delayedAutoStart/>\n"
                + "  <onfailure action=\"restart\" delay=\"10 sec\"/>\n"
                + "  <onfailure action=\"restart\" delay=\"10 sec\"/>\n"
                + "  <onfailure action=\"restart\" delay=\"60 sec\"/>\n"
                + element("resetfailure", "1 hour")
                + element("stoptimeout", "15 sec")
                + "  <env name=\"MAILCERT_LOG\" value=\"info\"/>\n"
                + element("logpath", dataDir + "\\" + LOGS)
                + "  <log mode=\"roll-by-size\">\n"
                + "    <sizeThreshold>10240</sizeThreshold>\n"
                + "    <keepFiles>8</keepFiles>\n"
                + "  </log>\n"
                + "</service>\n";
    }

    private static String element(String name, String text) {
        return "  <" + name + ">" + escape(text) + "</" + name + ">\n";
    }

    /** {@code text} as element content: {@code &}, {@code <} and {@code >} escaped (quotes need no escape there). */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
