package org.mailcert.agent.identity;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.agent.identity.EnrollmentException.Reason;
import org.mailcert.agent.state.StateException;
import org.mailcert.agent.state.StateStore;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Csrs;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Pem;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;
import org.mailcert.proto.v1.HostFacts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-time enrollment: makes an EC P-256 key (it never leaves the host), trades the join token and
 * a CSR for a client certificate over TLS that trusts only the CA the token pins, checks the answer
 * and stores the identity.
 */
public final class Enroller {
    /** The CSR's subject; the controller ignores it and names the host from the token. */
    static final String CSR_SUBJECT = "mailcert-agent";
    private static final Logger LOG = LoggerFactory.getLogger(Enroller.class);

    private final EnrollmentClient client;
    private final Clock clock;

    /** Takes the transport and the clock. */
    public Enroller(EnrollmentClient client, Clock clock) {
        this.client = Objects.requireNonNull(client, "client");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * What enrollment produced.
     *
     * @param host the host's FQDN
     * @param hostId the controller's id for it
     * @param notAfter when the client certificate expires
     * @param previousHost the host of the identity replaced by {@code --force}, if any
     */
    public record Result(String host, String hostId, Instant notAfter, Optional<String> previousHost) {
        /**
         * When this enrollment replaced the identity of another host, forgets that host's applied state in
         * {@code dataDir} (its bindings are not this host's) and returns the line that says so.
         *
         * @throws StateException if the state cannot be removed
         */
        public Optional<String> forgetReplacedHostState(Path dataDir) throws StateException {
            if (previousHost.isEmpty() || previousHost.get().equals(host)) {
                return Optional.empty();
            }
            new StateStore(dataDir).clear();
            return Optional.of("replaced the identity of " + previousHost.get() + " and forgot its applied state");
        }
    }

    /**
     * Enrolls and stores the identity in {@code store}.
     *
     * @param force replace an existing identity
     * @throws IdentityException EXISTS when an identity exists and {@code force} is false; DAMAGED when
     *     the files cannot be written
     * @throws EnrollmentException when the controller fails the pin, refuses, or answers wrongly
     */
    public Result enroll(ControllerAddress address, JoinTokenValue token, HostFacts facts, IdentityStore store,
            boolean force) throws IdentityException, EnrollmentException {
        Optional<String> previousHost = Optional.empty();
        if (store.exists()) {
            if (!force) {
                String who = "";
                try {
                    who = " (host " + store.loadSettings().host() + ")";
                } catch (IdentityException e) {
                    // the identity is damaged; still refuse without --force
                }
                throw new IdentityException(IdentityException.Reason.EXISTS, "an identity already exists in "
                        + store.dataDir() + who + "; give --force to replace it");
            }
            try {
                previousHost = Optional.of(store.loadSettings().host());
            } catch (IdentityException e) {
                previousHost = Optional.empty();
            }
        }
        KeyPair pair = Keys.generate(Keys.KeyType.EC256);
        EnrollRequest request = EnrollRequest.newBuilder()
                .setToken(token.encode())
                .setCsr(com.google.protobuf.ByteString.copyFrom(Csrs.create(pair, CSR_SUBJECT)))
                .setFacts(facts)
                .build();
        ControllerTrustManager trust = ControllerTrustManager.pinned(token.caSha256(), address.host());
        LOG.info("enrolling with the controller at {} (token {}, CA pin sha256:{})", address, token.id(),
                token.caSha256Hex());
        EnrollResponse response = client.enroll(address, trust, request);

        X509Certificate ca = certificates(response.getCaPem(), "ca_pem").get(0);
        if (!Fingerprints.sha256Hex(ca).equals(token.caSha256Hex())) {
            throw new EnrollmentException(Reason.PIN_MISMATCH, "the CA the controller returned (sha256:"
                    + Fingerprints.sha256Hex(ca) + ") is not the one the token pins (sha256:" + token.caSha256Hex()
                    + "); nothing was stored", null);
        }
        List<X509Certificate> chain = certificates(response.getCertificatePem(), "certificate_pem");
        X509Certificate cert = chain.get(0);
        if (!Keys.matches(pair.getPrivate(), cert)) {
            throw bad("the certificate the controller returned is not for the key this agent sent");
        }
        try {
            cert.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw bad("the certificate the controller returned is not signed by its CA");
        }
        if (clock.instant().isAfter(cert.getNotAfter().toInstant())) {
            throw bad("the certificate the controller returned expired on " + cert.getNotAfter().toInstant());
        }
        String host;
        try {
            host = DnsNames.hostname(response.getHost());
        } catch (InvalidNameException e) {
            throw bad("the controller named the host wrongly: " + e.getMessage());
        }
        store.save(new AgentSettings(address, host, response.getHostId()), pair.getPrivate(), List.of(cert), ca);
        LOG.info("host {}: enrolled; client certificate valid until {}", host, cert.getNotAfter().toInstant());
        return new Result(host, response.getHostId(), cert.getNotAfter().toInstant(), previousHost);
    }

    private static List<X509Certificate> certificates(String pem, String field) throws EnrollmentException {
        try {
            return Pem.readCertificates(pem.getBytes(US_ASCII));
        } catch (BadMaterialException e) {
            throw bad("the controller's " + field + " is unusable: " + e.getMessage());
        }
    }

    private static EnrollmentException bad(String message) {
        return new EnrollmentException(Reason.BAD_RESPONSE, message + "; nothing was stored", null);
    }
}
