package org.mailcert.agent.cli;

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
 * Logging of one agent process, to stderr. {@code run} logs at INFO (the service's journal);
 * {@code enroll} and {@code status} stay quiet so their output is clean. {@code MAILCERT_LOG} names
 * another level for any command. Library chatter (gRPC, Netty) is held at WARN unless DEBUG or
 * TRACE is asked for.
 */
final class AgentLogging {
    /** Names the level (error, warn, info, debug, trace, off). */
    static final String ENV_LOG = "MAILCERT_LOG";

    /** Held so java.util.logging cannot collect the configured logger and forget its level. */
    private static java.util.logging.Logger grpcLogger;

    private AgentLogging() {
    }

    /** Configures logging for a process running the named subcommand (null when none). */
    static void configure(String subcommand, String requested) {
        Level fallback = "run".equals(subcommand) ? Level.INFO : Level.OFF;
        Level level = requested == null || requested.isBlank() ? fallback
                : Level.toLevel(requested.strip().toUpperCase(Locale.ROOT), fallback);
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.detachAndStopAllAppenders();
            root.setLevel(level);
            if (level != Level.OFF) {
                root.addAppender(stderr(context));
            }
            Level libraries = level.isGreaterOrEqual(Level.INFO) ? Level.WARN : level;
            context.getLogger("io.grpc").setLevel(libraries);
            context.getLogger("io.netty").setLevel(libraries);
        }
        grpcLogger = java.util.logging.Logger.getLogger("io.grpc");
        grpcLogger.setLevel(level == Level.OFF ? java.util.logging.Level.OFF
                : level.isGreaterOrEqual(Level.INFO) ? java.util.logging.Level.WARNING : java.util.logging.Level.FINE);
    }

    private static ConsoleAppender<ILoggingEvent> stderr(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %msg%n");
        encoder.start();
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("stderr");
        appender.setTarget("System.err");
        appender.setEncoder(encoder);
        appender.start();
        return appender;
    }
}
