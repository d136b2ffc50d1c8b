package org.mailcert.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mailcert.common.logging.CliLogging.Settings;

/** Library logs stay out of stdout: on stderr at the level MAILCERT_LOG names, else at the program's default. */
class CliLoggingTest {
    private final java.util.logging.Logger grpc = java.util.logging.Logger.getLogger("io.grpc");
    private final java.util.logging.Level grpcBefore = grpc.getLevel();
    private final LoggerContext context = new LoggerContext();
    private final Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);

    @AfterEach
    void restoreGrpcLevel() {
        grpc.setLevel(grpcBefore);
    }

    @Test
    void offByDefault() {
        CliLogging.configure(context, null, Settings.adminCli());
        assertEquals(Level.OFF, root.getLevel());
        assertFalse(root.iteratorForAppenders().hasNext());
        assertEquals(java.util.logging.Level.OFF, grpc.getLevel());
    }

    @Test
    void aNamedLevelLogsToStderr() {
        CliLogging.configure(context, "debug", Settings.adminCli());
        assertEquals(Level.DEBUG, root.getLevel());
        assertEquals("System.err", ((ConsoleAppender<?>) root.getAppender("stderr")).getTarget());
        assertEquals(java.util.logging.Level.FINE, grpc.getLevel());
    }

    @Test
    void theAdminCliTakesANameThatIsNoLevelAsDebugAndLeavesLibrariesAtThatLevel() {
        CliLogging.configure(context, "verbose", Settings.adminCli());
        assertEquals(Level.DEBUG, root.getLevel());
        CliLogging.configure(context, "info", Settings.adminCli());
        assertEquals(Level.INFO, root.getLevel());
        assertNull(context.getLogger("io.grpc").getLevel());
        assertEquals(java.util.logging.Level.INFO, grpc.getLevel());
        assertEquals("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n", pattern());
    }

    @Test
    void theAgentServiceLogsInfoForItsJournalWithLibrariesAtWarn() {
        CliLogging.configure(context, null, Settings.agent(true));
        assertEquals(Level.INFO, root.getLevel());
        assertEquals("System.err", ((ConsoleAppender<?>) root.getAppender("stderr")).getTarget());
        assertEquals(Level.WARN, context.getLogger("io.grpc").getLevel());
        assertEquals(Level.WARN, context.getLogger("io.netty").getLevel());
        assertEquals(java.util.logging.Level.WARNING, grpc.getLevel());
        assertTrue(pattern().startsWith("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX}"), pattern());
    }

    @Test
    void theAgentsOtherCommandsAreQuietAndANameThatIsNoLevelKeepsTheDefault() {
        CliLogging.configure(context, null, Settings.agent(false));
        assertEquals(Level.OFF, root.getLevel());
        assertFalse(root.iteratorForAppenders().hasNext());
        assertEquals(java.util.logging.Level.OFF, grpc.getLevel());
        CliLogging.configure(context, "verbose", Settings.agent(true));
        assertEquals(Level.INFO, root.getLevel());
    }

    @Test
    void debugOrTraceLetsTheAgentsLibrariesThrough() {
        CliLogging.configure(context, " Debug ", Settings.agent(false));
        assertEquals(Level.DEBUG, root.getLevel());
        assertEquals(Level.DEBUG, context.getLogger("io.netty").getLevel());
        assertEquals(java.util.logging.Level.FINE, grpc.getLevel());
        CliLogging.configure(context, "off", Settings.agent(true));
        assertEquals(Level.OFF, root.getLevel());
        assertFalse(root.iteratorForAppenders().hasNext());
        assertEquals(java.util.logging.Level.OFF, grpc.getLevel());
    }

    private String pattern() {
        return ((PatternLayoutEncoder) ((ConsoleAppender<?>) root.getAppender("stderr")).getEncoder()).getPattern();
    }
}
