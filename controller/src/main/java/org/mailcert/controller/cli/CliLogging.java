package org.mailcert.controller.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps library logs out of the CLI's output. Netty logs through SLF4J and logback's default
 * configuration writes DEBUG to stdout, which would corrupt tables and JSON; gRPC logs through
 * java.util.logging to stderr. Both are off unless {@code MAILCERT_LOG} names a level, in which
 * case they go to stderr.
 */
final class CliLogging {
    /** Names the level (error, warn, info, debug, trace) at which library logs go to stderr. */
    static final String ENV_LOG = "MAILCERT_LOG";

    /** Held so java.util.logging cannot collect the configured logger and forget its level. */
    private static java.util.logging.Logger grpcLogger;

    private CliLogging() {
    }

    /** Configures logging for one CLI process; call before the first channel is built. */
    static void configure(String level) {
        configure(LoggerFactory.getILoggerFactory(), level);
    }

    /** Configures {@code factory} (when it is logback's) and gRPC's java.util.logging logger. */
    static void configure(ILoggerFactory factory, String level) {
        Level logbackLevel = level == null || level.isBlank()
                ? Level.OFF
                : Level.toLevel(level.strip().toUpperCase(Locale.ROOT), Level.DEBUG);
        if (factory instanceof LoggerContext context) {
            ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.detachAndStopAllAppenders();
            root.setLevel(logbackLevel);
            if (logbackLevel != Level.OFF) {
                root.addAppender(stderrAppender(context));
            }
        }
        grpcLogger = java.util.logging.Logger.getLogger("io.grpc");
        grpcLogger.setLevel(logbackLevel == Level.OFF ? java.util.logging.Level.OFF : julLevel(logbackLevel));
    }

    private static ConsoleAppender<ILoggingEvent> stderrAppender(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }

    private static java.util.logging.Level julLevel(Level level) {
        if (level.isGreaterOrEqual(Level.ERROR)) {
            return java.util.logging.Level.SEVERE;
        }
        if (level.isGreaterOrEqual(Level.WARN)) {
            return java.util.logging.Level.WARNING;
        }
        return level.isGreaterOrEqual(Level.INFO) ? java.util.logging.Level.INFO : java.util.logging.Level.FINE;
    }
}
