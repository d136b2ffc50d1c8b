package org.mailcert.controller.acme;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.SSLException;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeLazyLoadingException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeNotSupportedException;
import org.shredzone.acme4j.exception.AcmeProtocolException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUserActionRequiredException;

/**
 * Translates acme4j's exceptions into {@link AcmeException}s with a {@link Kind} and a message for
 * an admin: the one place that knows acme4j's exception types and the ACME problem types.
 */
final class AcmeErrors {
    private static final String PROBLEM_PREFIX = "urn:ietf:params:acme:error:";

    private final Clock clock;

    AcmeErrors(Clock clock) {
        this.clock = clock;
    }

    /**
     * Translates a failure of acme4j while {@code doing} something ("registering the account at
     * https://...").
     */
    AcmeException translate(String doing, Exception e) {
        if (e instanceof AcmeException own) {
            return own;
        }
        if (e instanceof AcmeLazyLoadingException lazy && lazy.getCause() instanceof Exception cause) {
            return translate(doing, cause);
        }
        if (e instanceof AcmeRateLimitedException limited) {
            Optional<Instant> until = limited.getRetryAfter();
            return new AcmeException(Kind.RATE_LIMITED, doing + ": the CA's rate limit was reached: "
                    + describe(limited.getProblem())
                    + until.map(t -> "; the CA asks to wait until " + t).orElse(""),
                    until.map(t -> nonNegative(Duration.between(clock.instant(), t))), e);
        }
        if (e instanceof AcmeUserActionRequiredException action) {
            return new AcmeException(Kind.CA_REFUSED, doing + ": the CA requires action by the account holder: "
                    + describe(action.getProblem())
                    + action.getTermsOfServiceUri().map(uri -> " (terms of service: " + uri + ")").orElse(""),
                    Optional.empty(), e);
        }
        if (e instanceof AcmeServerException server) {
            return new AcmeException(kindOf(server.getProblem()), doing + ": the CA answered: "
                    + describe(server.getProblem()), Optional.empty(), e);
        }
        if (e instanceof AcmeNetworkException network) {
            return new AcmeException(Kind.NETWORK, doing + ": " + networkDetail(network.getCause()),
                    Optional.empty(), e);
        }
        if (e instanceof AcmeNotSupportedException unsupported) {
            return new AcmeException(Kind.CONFIGURATION, doing + ": the CA does not support "
                    + unsupported.getMessage(), Optional.empty(), e);
        }
        if (e instanceof AcmeProtocolException protocol) {
            return new AcmeException(Kind.NETWORK, doing + ": the CA sent an answer that is not valid ACME: "
                    + protocol.getMessage(), Optional.empty(), e);
        }
        if (e instanceof org.shredzone.acme4j.exception.AcmeException plain) {
            // acme4j's bare exception: an HTTP error without a problem document, or a timeout.
            String message = String.valueOf(plain.getMessage());
            Kind kind = message.startsWith("HTTP 4") ? Kind.CA_REFUSED : Kind.NETWORK;
            return new AcmeException(kind, doing + ": " + message, Optional.empty(), e);
        }
        if (e instanceof IllegalArgumentException bad) {
            return new AcmeException(Kind.CONFIGURATION, doing + ": " + bad.getMessage(), Optional.empty(), e);
        }
        return new AcmeException(Kind.NETWORK, doing + ": " + e, Optional.empty(), e);
    }

    /** The kind of an ACME problem document. */
    static Kind kindOf(Problem problem) {
        String type = String.valueOf(problem.getType());
        String error = type.startsWith(PROBLEM_PREFIX) ? type.substring(PROBLEM_PREFIX.length()) : type;
        return switch (error) {
            case "rateLimited" -> Kind.RATE_LIMITED;
            case "serverInternal", "badNonce" -> Kind.NETWORK;
            case "accountDoesNotExist", "externalAccountRequired", "unsupportedContact", "invalidContact",
                    "badSignatureAlgorithm", "invalidProfile" -> Kind.CONFIGURATION;
            case "dns" -> Kind.DNS;
            default -> Kind.CA_REFUSED;
        };
    }

    /** A problem as one line: its short type, its detail and sub-problems. */
    static String describe(Problem problem) {
        String type = String.valueOf(problem.getType());
        String error = type.startsWith(PROBLEM_PREFIX) ? type.substring(PROBLEM_PREFIX.length()) : type;
        return problem.getDetail().isPresent() || !problem.getSubProblems().isEmpty()
                ? "[" + error + "] " + problem
                : "[" + error + "]";
    }

    private static String networkDetail(Throwable cause) {
        if (cause instanceof SSLException tls) {
            return "the TLS connection to the CA failed (" + tls.getMessage()
                    + "); check the directory URL and, for a private CA, its directory CA certificate";
        }
        if (cause instanceof HttpTimeoutException) {
            return "the CA did not answer in time";
        }
        if (cause instanceof ConnectException) {
            return "could not connect to the CA (refused or unreachable); check the directory URL and the network";
        }
        return "could not reach the CA: " + (cause == null ? "unknown error" : cause.getClass().getSimpleName()
                + (cause.getMessage() == null ? "" : ": " + cause.getMessage()));
    }

    private static Duration nonNegative(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }
}
