package org.mailcert.common.logging;

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
 * Logging of one command-line process, to stderr only, so tables and JSON on stdout stay clean.
 * Netty logs through SLF4J (logback's default configuration would write DEBUG to stdout) and gRPC
 * through java.util.logging; both are set here. {@code MAILCERT_LOG} names the level; each program's
 * {@link Settings} say what happens when it is unset or names no level.
 */
public final class CliLogging {
    /** Names the level (error, warn, info, debug, trace, off). */
    public static final String ENV_LOG = "MAILCERT_LOG";

    /** Held so java.util.logging cannot collect the configured logger and forget its level. */
    private static java.util.logging.Logger grpcLogger;

    private CliLogging() {
    }

    /**
     * How one program logs.
     *
     * @param unset the level when {@code MAILCERT_LOG} is unset or blank
     * @param unknown the level when it names no level
     * @param pattern logback's pattern for one line
     * @param librariesAtWarn whether gRPC and Netty are held at WARN unless DEBUG or TRACE is chosen
     */
    public record Settings(Level unset, Level unknown, String pattern, boolean librariesAtWarn) {
        /** The {@code mailcert} admin CLI's: off unless asked for, a name that is no level means DEBUG. */
        public static Settings adminCli() {
            return new Settings(Level.OFF, Level.DEBUG, "%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n", false);
        }

        /**
         * The agent's: INFO when it runs as the service (its journal), else quiet; a name that is no
         * level keeps that default; gRPC and Netty held at WARN.
         */
        public static Settings agent(boolean service) {
            Level unset = service ? Level.INFO : Level.OFF;
            return new Settings(unset, unset, "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level %logger{0} - %msg%n", true);
        }
    }

    /** Configures this process's logging; call before the first channel is built. */
    public static void configure(String requested, Settings settings) {
        configure(LoggerFactory.getILoggerFactory(), requested, settings);
    }

    /** Configures {@code factory} (when it is logback's) and gRPC's java.util.logging logger. */
    public static void configure(ILoggerFactory factory, String requested, Settings settings) {
        Level level = requested == null || requested.isBlank() ? settings.unset()
                : Level.toLevel(requested.strip().toUpperCase(Locale.ROOT), settings.unknown());
        Level libraries = settings.librariesAtWarn() && level.isGreaterOrEqual(Level.INFO) ? Level.WARN : level;
        if (factory instanceof LoggerContext context) {
            ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
            root.detachAndStopAllAppenders();
            root.setLevel(level);
            if (level != Level.OFF) {
                root.addAppender(stderrAppender(context, settings.pattern()));
            }
            if (settings.librariesAtWarn()) {
                context.getLogger("io.grpc").setLevel(libraries);
                context.getLogger("io.netty").setLevel(libraries);
            }
        }
        grpcLogger = java.util.logging.Logger.getLogger("io.grpc");
        grpcLogger.setLevel(level == Level.OFF ? java.util.logging.Level.OFF : julLevel(libraries));
    }

    private static ConsoleAppender<ILoggingEvent> stderrAppender(LoggerContext context, String pattern) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(pattern);
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
