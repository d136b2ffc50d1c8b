package org.mailcert.controller.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.cert.CertificateException;
import javax.net.ssl.SSLException;
import picocli.CommandLine;

/**
 * Turns any failure of a command into the one line printed after {@code mailcert: }. This is the
 * only place that knows about gRPC status codes.
 */
final class Errors {
    private Errors() {
    }

    /**
     * Describes the failure for the user.
     *
     * @param settings what the CLI connected with; null when it failed before connecting
     */
    static String describe(Throwable failure, ConnectionSettings settings) {
        Throwable e = unwrap(failure);
        String text;
        if (e instanceof CliException) {
            text = e.getMessage();
        } else if (e instanceof StatusRuntimeException sre) {
            text = describe(sre.getStatus(), settings);
        } else {
            text = "unexpected " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "; this is a bug in mailcert, please report it";
        }
        return oneLine(text);
    }

    private static String describe(Status status, ConnectionSettings settings) {
        String where = settings == null ? "the controller" : "the controller at " + settings.address();
        String origin = settings == null ? "the admin token" : "the admin token from " + settings.tokenOrigin();
        String description = status.getDescription();
        return switch (status.getCode()) {
            case UNAVAILABLE -> {
                Throwable tls = find(status.getCause(), SSLException.class, CertificateException.class);
                yield tls != null
                        ? tls(where, rootMessage(tls), settings)
                        : "cannot reach " + where + " (" + reason(status) + "); is mailcert-controller running?"
                                + " set --controller or MAILCERT_CONTROLLER";
            }
            case DEADLINE_EXCEEDED -> where + " did not answer within " + AdminClient.CALL_DEADLINE.toSeconds()
                    + " s; check that mailcert-controller is healthy and try again";
            case UNAUTHENTICATED -> where + " did not accept " + origin + " (" + reason(status) + "); use a valid"
                    + " admin token with --token-file FILE, MAILCERT_TOKEN_FILE or MAILCERT_TOKEN (the first one is"
                    + " admin.token in the controller's data dir)";
            case PERMISSION_DENIED -> reason(status) + "; the role of " + origin + " does not allow this, ask an"
                    + " admin for a token with a role that does (mailcert admin-token create NAME --role operator)";
            case UNIMPLEMENTED -> where + " does not support this command (" + reason(status)
                    + "); upgrade mailcert-controller";
            default -> description == null || description.isBlank()
                    ? where + " failed with " + status.getCode() + " and no message"
                    : description;
        };
    }

    private static String tls(String where, String cause, ConnectionSettings settings) {
        String advice;
        if (cause != null && cause.toLowerCase(java.util.Locale.ROOT).contains("subject alternative")) {
            advice = "connect by a name in the controller's certificate (see mailcert-controller --name)";
        } else if (settings != null && settings.caFile().isPresent()) {
            advice = "check that " + settings.caFile().get() + " is this controller's CA (ca.pem in its data dir);"
                    + " set --ca-file or MAILCERT_CA";
        } else {
            advice = "pass the controller's CA with --ca-file FILE or MAILCERT_CA (ca.pem in its data dir)";
        }
        return "TLS handshake with " + where + " failed (" + cause + "); " + advice;
    }

    /** The most telling reason: the cause's message (it names the address), else the status description. */
    private static String reason(Status status) {
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null && !cause.getMessage().isBlank()) {
            return cause.getMessage();
        }
        String description = status.getDescription();
        return description == null || description.isBlank() ? status.getCode().toString() : description;
    }

    private static String rootMessage(Throwable t) {
        String message = null;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                message = c.getMessage();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return message;
    }

    @SafeVarargs
    private static Throwable find(Throwable t, Class<? extends Throwable>... types) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (Class<? extends Throwable> type : types) {
                if (type.isInstance(c)) {
                    return c;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CommandLine.ExecutionException || t instanceof java.lang.reflect.InvocationTargetException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Control characters and line breaks from a server message must not break the one-line rule. */
    static String oneLine(String text) {
        return text.replaceAll("\\s*\\p{Cntrl}[\\s\\p{Cntrl}]*", " ").strip();
    }
}
