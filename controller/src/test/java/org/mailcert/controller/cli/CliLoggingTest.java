package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Library logs stay out of stdout: off by default, on stderr when MAILCERT_LOG names a level. */
class CliLoggingTest {
    private final java.util.logging.Logger grpc = java.util.logging.Logger.getLogger("io.grpc");
    private final java.util.logging.Level grpcBefore = grpc.getLevel();

    @AfterEach
    void restoreGrpcLevel() {
        grpc.setLevel(grpcBefore);
    }

    @Test
    void offByDefault() {
        LoggerContext context = new LoggerContext();
        CliLogging.configure(context, null);
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.OFF, root.getLevel());
        assertFalse(root.iteratorForAppenders().hasNext());
        assertEquals(java.util.logging.Level.OFF, grpc.getLevel());
    }

    @Test
    void aNamedLevelLogsToStderr() {
        LoggerContext context = new LoggerContext();
        CliLogging.configure(context, "debug");
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        assertEquals(Level.DEBUG, root.getLevel());
        assertEquals("System.err", ((ConsoleAppender<?>) root.getAppender("stderr")).getTarget());
        assertEquals(java.util.logging.Level.FINE, grpc.getLevel());
    }
}
