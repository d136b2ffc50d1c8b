package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.exception.AcmeLazyLoadingException;
import org.shredzone.acme4j.exception.AcmeNetworkException;
import org.shredzone.acme4j.exception.AcmeNotSupportedException;
import org.shredzone.acme4j.exception.AcmeProtocolException;
import org.shredzone.acme4j.exception.AcmeRateLimitedException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.exception.AcmeUnauthorizedException;
import org.shredzone.acme4j.exception.AcmeUserActionRequiredException;
import org.shredzone.acme4j.toolbox.JSON;

class AcmeErrorsTest {
    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");
    private final AcmeErrors errors = new AcmeErrors(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aRateLimitCarriesTheCasRetryAfterAsADuration() throws Exception {
        var limited = new AcmeRateLimitedException(problem("rateLimited", "too many certificates for example.com"),
                NOW.plus(Duration.ofHours(3)), List.of());

        AcmeException e = errors.translate("ordering example.com", limited);

        assertEquals(Kind.RATE_LIMITED, e.kind());
        assertEquals(Optional.of(Duration.ofHours(3)), e.retryAfter());
        assertEquals("ordering example.com: the CA's rate limit was reached: [rateLimited] too many certificates"
                + " for example.com; the CA asks to wait until 2026-03-01T13:00:00Z", e.getMessage());
    }

    @Test
    void aRetryAfterInThePastIsZero() throws Exception {
        var limited = new AcmeRateLimitedException(problem("rateLimited", "slow down"), NOW.minusSeconds(5), List.of());
        assertEquals(Optional.of(Duration.ZERO), errors.translate("x", limited).retryAfter());
    }

    @Test
    void aRateLimitWithoutRetryAfterHasNone() throws Exception {
        var limited = new AcmeRateLimitedException(problem("rateLimited", "slow down"), null, List.of());
        AcmeException e = errors.translate("x", limited);
        assertEquals(Kind.RATE_LIMITED, e.kind());
        assertEquals(Optional.empty(), e.retryAfter());
    }

    @Test
    void unauthorizedIsRefusedByTheCaWithItsDetail() throws Exception {
        AcmeException e = errors.translate("registering", new AcmeUnauthorizedException(
                problem("unauthorized", "external account binding: HMAC mismatch")));
        assertEquals(Kind.CA_REFUSED, e.kind());
        assertEquals("registering: the CA answered: [unauthorized] external account binding: HMAC mismatch",
                e.getMessage());
    }

    @Test
    void eachProblemTypeHasItsKind() throws Exception {
        assertEquals(Kind.CA_REFUSED, kindOf("rejectedIdentifier"));
        assertEquals(Kind.CA_REFUSED, kindOf("badCSR"));
        assertEquals(Kind.CA_REFUSED, kindOf("caa"));
        assertEquals(Kind.CA_REFUSED, kindOf("malformed"));
        assertEquals(Kind.NETWORK, kindOf("serverInternal"));
        assertEquals(Kind.NETWORK, kindOf("badNonce"));
        assertEquals(Kind.CONFIGURATION, kindOf("accountDoesNotExist"));
        assertEquals(Kind.CONFIGURATION, kindOf("externalAccountRequired"));
        assertEquals(Kind.CONFIGURATION, kindOf("invalidProfile"));
        assertEquals(Kind.DNS, kindOf("dns"));
    }

    @Test
    void subProblemsAreInTheMessage() throws Exception {
        Problem problem = new Problem(JSON.parse("""
                {"type": "urn:ietf:params:acme:error:rejectedIdentifier", "detail": "some names are refused",
                 "subproblems": [{"type": "urn:ietf:params:acme:error:rejectedIdentifier",
                   "detail": "internal.example is not a public name",
                   "identifier": {"type": "dns", "value": "internal.example"}}]}
                """), new URL("https://ca.test/acme/new-order"));
        AcmeException e = errors.translate("ordering", new AcmeServerException(problem));
        assertEquals(Kind.CA_REFUSED, e.kind());
        assertTrue(e.getMessage().contains("internal.example is not a public name"), e.getMessage());
    }

    @Test
    void userActionRequiredNamesTheTerms() throws Exception {
        AcmeException e = errors.translate("ordering", new AcmeUserActionRequiredException(
                problem("userActionRequired", "accept the new terms"), URI.create("https://ca.test/tos-2")));
        assertEquals(Kind.CA_REFUSED, e.kind());
        assertTrue(e.getMessage().endsWith("(terms of service: https://ca.test/tos-2)"), e.getMessage());
    }

    @Test
    void anUnreachableCaIsANetworkError() {
        AcmeException e = errors.translate("registering", new AcmeNetworkException(new ConnectException()));
        assertEquals(Kind.NETWORK, e.kind());
        assertEquals("registering: could not connect to the CA (refused or unreachable); check the directory URL"
                + " and the network", e.getMessage());
    }

    @Test
    void anyOtherInputOutputFailureIsANetworkErrorNamingIt() {
        AcmeException e = errors.translate("registering", new AcmeNetworkException(new IOException("stream reset")));
        assertEquals(Kind.NETWORK, e.kind());
        assertEquals("registering: could not reach the CA: IOException: stream reset", e.getMessage());
    }

    @Test
    void aTlsFailurePointsAtTheDirectoryCa() {
        AcmeException e = errors.translate("registering", new AcmeNetworkException(
                new SSLHandshakeException("PKIX path building failed")));
        assertEquals(Kind.NETWORK, e.kind());
        assertTrue(e.getMessage().contains("directory CA certificate"), e.getMessage());
    }

    @Test
    void aTimeoutIsANetworkError() {
        AcmeException e = errors.translate("x", new AcmeNetworkException(new HttpTimeoutException("timed out")));
        assertEquals(Kind.NETWORK, e.kind());
        assertEquals("x: the CA did not answer in time", e.getMessage());
    }

    @Test
    void aBareServerErrorIsANetworkErrorAndABareClientErrorARefusal() {
        assertEquals(Kind.NETWORK, errors.translate("x",
                new org.shredzone.acme4j.exception.AcmeException("HTTP 503")).kind());
        assertEquals(Kind.CA_REFUSED, errors.translate("x",
                new org.shredzone.acme4j.exception.AcmeException("HTTP 404")).kind());
    }

    @Test
    void aBrokenAnswerIsANetworkErrorAndAnUnsupportedFeatureAConfigurationError() {
        assertEquals(Kind.NETWORK, errors.translate("x", new AcmeProtocolException("location header is missing"))
                .kind());
        AcmeException unsupported = errors.translate("x", new AcmeNotSupportedException("profile"));
        assertEquals(Kind.CONFIGURATION, unsupported.kind());
        assertTrue(unsupported.getMessage().contains("does not support"), unsupported.getMessage());
    }

    @Test
    void aLazyLoadingFailureIsJudgedByItsCause() throws Exception {
        var lazy = new AcmeLazyLoadingException(Order.class, new URL("https://ca.test/order/1"),
                new AcmeRateLimitedException(problem("rateLimited", "wait"), NOW.plusSeconds(60), List.of()));
        AcmeException e = errors.translate("x", lazy);
        assertEquals(Kind.RATE_LIMITED, e.kind());
        assertEquals(Optional.of(Duration.ofSeconds(60)), e.retryAfter());
    }

    @Test
    void ourOwnExceptionPassesThroughUnchanged() {
        AcmeException own = new AcmeException(Kind.DNS, "hook failed");
        assertSame(own, errors.translate("x", own));
    }

    private static Kind kindOf(String type) throws Exception {
        return AcmeErrors.kindOf(problem(type, "detail"));
    }

    private static Problem problem(String type, String detail) throws IOException {
        return new Problem(JSON.parse("{\"type\": \"urn:ietf:params:acme:error:" + type + "\", \"detail\": \""
                + detail + "\"}"), new URL("https://ca.test/acme"));
    }
}
