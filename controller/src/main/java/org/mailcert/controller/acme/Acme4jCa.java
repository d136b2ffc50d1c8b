package org.mailcert.controller.acme;

import java.net.URI;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Metadata;
import org.shredzone.acme4j.OrderBuilder;
import org.shredzone.acme4j.RenewalInfo;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.connector.Resource;
import org.shredzone.acme4j.exception.AcmeLazyLoadingException;
import org.shredzone.acme4j.exception.AcmeProtocolException;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AcmeCa} on acme4j: one session per call, DNS-01 through a {@link DnsSolver}, every wait
 * bounded by {@link Timeouts}, every acme4j failure translated by {@link AcmeErrors}. Thread-safe:
 * it holds no per-call state.
 */
public final class Acme4jCa implements AcmeCa {
    private static final Logger LOG = LoggerFactory.getLogger(Acme4jCa.class);
    private static final String ACCOUNT_DOES_NOT_EXIST = "urn:ietf:params:acme:error:accountDoesNotExist";

    /**
     * How long each step may take.
     *
     * @param propagation until a presented record is visible at the authoritative servers
     * @param validation until the CA has validated one challenge
     * @param finalization until the order is ready, and again until the certificate is issued
     * @param http one HTTP request to the CA
     */
    public record Timeouts(Duration propagation, Duration validation, Duration finalization, Duration http) {
        /** Two minutes for each wait, 30 s per request. */
        public static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(120), Duration.ofSeconds(120),
                Duration.ofSeconds(120), Duration.ofSeconds(30));
    }

    static {
        // acme4j's CSRBuilder and key utilities look Bouncy Castle up by name.
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
    }

    private final AcmeSessions sessions;
    private final AcmeErrors errors;
    private final Polling polling;
    private final DnsChallenges challenges;
    private final Timeouts timeouts;

    /** A CA client with the default timeouts. */
    public Acme4jCa(Propagation propagation, Clock clock) {
        this(propagation, clock, Timeouts.DEFAULTS);
    }

    /** A CA client that checks propagation with {@code propagation} and reads time from {@code clock}. */
    public Acme4jCa(Propagation propagation, Clock clock, Timeouts timeouts) {
        this.sessions = new AcmeSessions(timeouts.http());
        this.errors = new AcmeErrors(clock);
        this.polling = new Polling(clock);
        this.challenges = new DnsChallenges(propagation, polling, timeouts.propagation(), timeouts.validation());
        this.timeouts = timeouts;
    }

    @Override
    public Account register(Settings settings, KeyPair accountKey) throws AcmeException {
        String doing = "registering the account at " + settings.directory();
        Session session = sessions.open(settings);
        try {
            Login login = existingLogin(session, accountKey).orElse(null);
            if (login == null) {
                AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
                if (settings.email() != null && !settings.email().isBlank()) {
                    builder.addEmail(settings.email());
                }
                settings.eab().ifPresent(eab ->
                        builder.withKeyIdentifier(eab.keyId(), new SecretKeySpec(eab.hmacKey(), "HMAC")));
                login = builder.createLogin(session);
                LOG.info("registered a new account {} at {}", login.getAccountLocation(), settings.directory());
            } else {
                LOG.info("found the existing account {} at {}", login.getAccountLocation(), settings.directory());
            }
            return new Account(uri(login.getAccountLocation()), capabilities(session));
        } catch (org.shredzone.acme4j.exception.AcmeException | AcmeProtocolException | AcmeLazyLoadingException
                | IllegalArgumentException e) {
            AcmeException translated = errors.translate(doing, e);
            if (settings.eab().isPresent() && translated.kind() == Kind.CA_REFUSED) {
                throw new AcmeException(Kind.CA_REFUSED, translated.getMessage()
                        + " (check the External Account Binding key id and HMAC key)", Optional.empty(), e);
            }
            throw translated;
        }
    }

    @Override
    public Issued order(Settings settings, KeyPair accountKey, Order order, DnsSolver solver) throws AcmeException {
        String doing = "ordering " + String.join(", ", order.names()) + " from " + settings.directory();
        Session session = sessions.open(settings);
        try {
            Login login = existingLogin(session, accountKey).orElseThrow(() -> new AcmeException(Kind.CONFIGURATION,
                    doing + ": the CA knows no account for this key; register the issuer first"));
            Capabilities offered = capabilities(session);
            OrderBuilder builder = login.newOrder().domains(order.names());
            if (order.profile().isPresent()) {
                String profile = order.profile().get();
                if (!offered.profiles().contains(profile)) {
                    throw new AcmeException(Kind.CONFIGURATION, doing + ": the CA does not offer the profile '"
                            + profile + "'" + (offered.profiles().isEmpty() ? " (it offers no profiles)"
                            : " (it offers " + String.join(", ", new TreeSet<>(offered.profiles())) + ")"));
                }
                builder.profile(profile);
            }
            if (order.replaces().isPresent() && offered.ari()) {
                builder.replaces(order.replaces().get());
            }
            org.shredzone.acme4j.Order placed = builder.create();
            LOG.info("placed order {} for {}", placed.getLocation(), order.names());
            challenges.authorize(placed, solver);
            return finish(placed, order.certificateKey());
        } catch (org.shredzone.acme4j.exception.AcmeException | AcmeProtocolException | AcmeLazyLoadingException
                | IllegalArgumentException e) {
            throw errors.translate(doing, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcmeException(Kind.NETWORK, doing + ": interrupted");
        } catch (AcmeException e) {
            throw e.getMessage().startsWith(doing) ? e
                    : new AcmeException(e.kind(), doing + ": " + e.getMessage(), e.retryAfter(), e);
        }
    }

    @Override
    public Optional<RenewalWindow> renewalInfo(Settings settings, X509Certificate certificate) throws AcmeException {
        String doing = "asking " + settings.directory() + " when to renew " + certificate.getSubjectX500Principal();
        Session session = sessions.open(settings);
        try {
            Optional<URL> ari = session.resourceUrlOptional(Resource.RENEWAL_INFO);
            if (ari.isEmpty()) {
                return Optional.empty();
            }
            // renewalInfo is fetched without signing; acme4j only binds resources to a login.
            RenewalInfo info = new Login(ari.get(), ProbeKey.PAIR, session).bindRenewalInfo(certificate);
            Optional<java.time.Instant> retryAfter = info.fetch();
            return Optional.of(new RenewalWindow(info.getSuggestedWindowStart(), info.getSuggestedWindowEnd(),
                    retryAfter));
        } catch (org.shredzone.acme4j.exception.AcmeException | AcmeProtocolException | AcmeLazyLoadingException
                | IllegalArgumentException e) {
            throw errors.translate(doing, e);
        }
    }

    /** Finalizes a ready order with a CSR for {@code certificateKey} and downloads the chain. */
    private Issued finish(org.shredzone.acme4j.Order order, KeyPair certificateKey)
            throws org.shredzone.acme4j.exception.AcmeException, AcmeException, InterruptedException {
        Status ready = polling.until(order, EnumSet.of(Status.READY, Status.VALID, Status.INVALID),
                timeouts.finalization(), "the order");
        refuseInvalid(order, ready);
        if (ready == Status.READY) {
            order.execute(certificateKey);
        }
        refuseInvalid(order, polling.until(order, EnumSet.of(Status.VALID, Status.INVALID),
                timeouts.finalization(), "the order"));
        Certificate certificate = order.getCertificate();
        certificate.download();
        List<X509Certificate> chain = certificate.getCertificateChain();
        LOG.info("order {} issued {}", order.getLocation(), chain.get(0).getSubjectX500Principal());
        return new Issued(chain, uri(order.getLocation()));
    }

    private static void refuseInvalid(org.shredzone.acme4j.Order order, Status status) throws AcmeException {
        if (status == Status.INVALID) {
            throw new AcmeException(Kind.CA_REFUSED, "the CA marked the order invalid: "
                    + order.getError().map(AcmeErrors::describe).orElse("no reason given"));
        }
    }

    /** The account of {@code key} if the CA knows it. */
    private static Optional<Login> existingLogin(Session session, KeyPair key)
            throws org.shredzone.acme4j.exception.AcmeException {
        try {
            return Optional.of(new AccountBuilder().onlyExisting().useKeyPair(key).createLogin(session));
        } catch (AcmeServerException e) {
            if (ACCOUNT_DOES_NOT_EXIST.equals(String.valueOf(e.getType()))) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static Capabilities capabilities(Session session) throws org.shredzone.acme4j.exception.AcmeException {
        Metadata metadata = session.getMetadata();
        boolean ari = session.resourceUrlOptional(Resource.RENEWAL_INFO).isPresent();
        return new Capabilities(Set.copyOf(metadata.getProfiles()), ari, metadata.getTermsOfService());
    }

    private static URI uri(URL url) {
        return URI.create(url.toString());
    }

    /** A throwaway key for the unsigned renewalInfo fetch; never sent, made once. */
    private static final class ProbeKey {
        static final KeyPair PAIR = generate();

        private static KeyPair generate() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                generator.initialize(new ECGenParameterSpec("secp256r1"));
                return generator.generateKeyPair();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("the JDK cannot make an EC P-256 key", e);
            }
        }
    }
}
