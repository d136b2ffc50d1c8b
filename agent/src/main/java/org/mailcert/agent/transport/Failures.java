package org.mailcert.agent.transport;

import io.grpc.Status;
import java.util.Locale;
import javax.net.ssl.SSLException;
import org.mailcert.agent.identity.ControllerTrustManager;
import org.mailcert.agent.identity.EnrollmentException;
import org.mailcert.agent.sync.StreamFailure;
import org.mailcert.agent.sync.StreamFailure.Kind;
import org.mailcert.common.net.ControllerAddress;

/**
 * The one place that reads gRPC statuses: Sync stream endings become a {@link StreamFailure} sorted
 * into retry, re-enroll or revoked; Enroll failures become an {@link EnrollmentException}.
 */
final class Failures {
    private Failures() {
    }

    /**
     * Sorts a Sync stream's end: PERMISSION_DENIED means revoked; UNAUTHENTICATED means the identity
     * is no longer accepted; everything else (UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, a TLS
     * failure...) is retried.
     */
    static StreamFailure stream(Status status, ControllerAddress address) {
        String where = "the controller at " + address;
        return switch (status.getCode()) {
            case PERMISSION_DENIED -> new StreamFailure(Kind.REVOKED, describe(status, where + " refused this host"));
            case UNAUTHENTICATED -> new StreamFailure(Kind.REENROLL, describe(status, where
                    + " did not accept the client certificate"));
            case UNAVAILABLE -> new StreamFailure(Kind.RETRY, unavailable(status, null, where));
            default -> new StreamFailure(Kind.RETRY, where + " ended the stream: " + status.getCode()
                    + (status.getDescription() == null ? "" : ": " + oneLine(status.getDescription())));
        };
    }

    /** A stream the controller closed without an error. */
    static StreamFailure closedByController(ControllerAddress address) {
        return new StreamFailure(Kind.RETRY, "the controller at " + address + " closed the stream");
    }

    /** Translates a failed Enroll call. */
    static EnrollmentException enrollment(Status status, ControllerTrustManager trust, ControllerAddress address) {
        String where = "the controller at " + address;
        if (trust.pinMismatch()) {
            return new EnrollmentException(EnrollmentException.Reason.PIN_MISMATCH, where + " is not the one the"
                    + " token was made for: " + trust.failure().map(Throwable::getMessage).orElse("pin mismatch")
                    + "; the token was not sent. Check --controller, or create the token on this controller",
                    status.getCause());
        }
        if (trust.failure().isPresent()) {
            return new EnrollmentException(EnrollmentException.Reason.UNTRUSTED, where + " failed the TLS checks: "
                    + trust.failure().get().getMessage() + "; the token was not sent", status.getCause());
        }
        String description = status.getDescription() == null ? status.getCode().toString()
                : oneLine(status.getDescription());
        return switch (status.getCode()) {
            case UNAUTHENTICATED -> new EnrollmentException(EnrollmentException.Reason.TOKEN_REFUSED, where
                    + " refused the join token (" + description + "); create a new one with `mailcert token create"
                    + " --host FQDN`", null);
            case INVALID_ARGUMENT -> new EnrollmentException(EnrollmentException.Reason.CSR_REFUSED, where
                    + " refused the certificate request: " + description, null);
            case UNAVAILABLE -> new EnrollmentException(EnrollmentException.Reason.UNREACHABLE,
                    unavailable(status, trust, where) + "; is mailcert-controller running there?", status.getCause());
            case DEADLINE_EXCEEDED -> new EnrollmentException(EnrollmentException.Reason.UNREACHABLE, where
                    + " did not answer within " + GrpcEnrollmentClient.DEADLINE.toSeconds() + " s", null);
            default -> new EnrollmentException(EnrollmentException.Reason.FAILED, where + " failed the enrollment: "
                    + status.getCode() + ": " + description, status.getCause());
        };
    }

    private static String unavailable(Status status, ControllerTrustManager trust, String where) {
        if (trust != null && trust.failure().isPresent()) {
            return where + " is not trusted: " + trust.failure().get().getMessage();
        }
        SSLException tls = find(status.getCause(), SSLException.class);
        if (tls != null) {
            return "TLS with " + where + " failed: " + oneLine(rootMessage(tls));
        }
        return "cannot reach " + where + " (" + oneLine(reason(status)) + ")";
    }

    private static String describe(Status status, String fallback) {
        String d = status.getDescription();
        return d == null || d.isBlank() ? fallback + " (" + status.getCode() + ")" : oneLine(d);
    }

    private static String reason(Status status) {
        Throwable cause = status.getCause();
        if (cause != null && cause.getMessage() != null && !cause.getMessage().isBlank()) {
            return cause.getMessage();
        }
        String d = status.getDescription();
        return d == null || d.isBlank() ? status.getCode().toString().toLowerCase(Locale.ROOT) : d;
    }

    private static String rootMessage(Throwable t) {
        String message = t.getClass().getSimpleName();
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                message = c.getMessage();
            }
        }
        return message;
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null && c.getCause() != c; c = c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    /** Server text must not break the one-line rule. */
    static String oneLine(String text) {
        return text.replaceAll("\\s*\\p{Cntrl}[\\s\\p{Cntrl}]*", " ").strip();
    }
}
