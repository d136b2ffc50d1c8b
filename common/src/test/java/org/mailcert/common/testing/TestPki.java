package org.mailcert.common.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.mailcert.common.pki.CertificateAuthority;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Keys.KeyType;
import org.mailcert.common.pki.Pem;
import org.mailcert.common.pki.TestCertificates;

/**
 * Mints test certificates and keys in memory, without files: a root CA, optional intermediates,
 * and leaves with chosen names, validity and key type, exported in every format mailcert reads.
 *
 * <pre>{@code
 * TestPki pki = TestPki.rootCa("Test Root").intermediate("Test Int");
 * TestPki.Leaf leaf = pki.leaf("mail.example.com", "*.example.com").issue();   // EC P-256
 * byte[] pem = (leaf.chainPem() + leaf.keyPem()).getBytes(US_ASCII);           // leaf, int, key
 * byte[] pfx = pki.leaf("mail.example.com").rsa().issue().pkcs12("secret".toCharArray());
 * TestPki.Leaf old = pki.leaf("old.example.com").expired().issue();            // ended yesterday
 * TestPki.Leaf soon = pki.leaf("new.example.com").notYetValid().issue();       // starts tomorrow
 * TestPki.Leaf cnOnly = pki.leaf().commonName("legacy.example.com").issue();   // no SAN at all
 * TestPki.Leaf self = TestPki.selfSigned("mail.example.com").issue();
 * TrustChecker trust = new TrustChecker(List.of(pki.root()));
 * }</pre>
 *
 * <p>Times come from the clock given to {@link #rootCa(String, Clock)} (the system clock by
 * default, so certificates also work for real TLS handshakes). CAs are valid from a day before to
 * ten years after "now"; leaves by default from an hour before to 90 days after. Keys are EC P-256
 * unless chosen otherwise. A {@code TestPki} is immutable; each {@link #intermediate} returns a new
 * one that issues from the new intermediate.
 */
public final class TestPki {
    private static final Duration CA_BACKDATE = Duration.ofDays(1);
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_BACKDATE = Duration.ofHours(1);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(90);

    private final Clock clock;
    private final X509Certificate root;
    private final PrivateKey rootKey;
    /** Intermediates from the issuing one (nearest the leaf) up to the one under the root. */
    private final List<X509Certificate> intermediates;
    private final PrivateKey issuerKey;

    private TestPki(Clock clock, X509Certificate root, PrivateKey rootKey,
            List<X509Certificate> intermediates, PrivateKey issuerKey) {
        this.clock = clock;
        this.root = root;
        this.rootKey = rootKey;
        this.intermediates = List.copyOf(intermediates);
        this.issuerKey = issuerKey;
    }

    /** Creates a self-signed EC P-256 root CA with the CN, timed by the system clock. */
    public static TestPki rootCa(String commonName) {
        return rootCa(commonName, Clock.systemUTC());
    }

    /** Creates a self-signed EC P-256 root CA with the CN, timed by the clock. */
    public static TestPki rootCa(String commonName, Clock clock) {
        KeyPair pair = Keys.generate(KeyType.EC256);
        Instant now = clock.instant();
        X509Certificate root = TestCertificates.ca(commonName, pair.getPublic(),
                now.minus(CA_BACKDATE), now.plus(CA_VALIDITY), null, pair.getPrivate());
        return new TestPki(clock, root, pair.getPrivate(), List.of(), pair.getPrivate());
    }

    /** Returns a new {@code TestPki} issuing from a new intermediate under this one's issuer. */
    public TestPki intermediate(String commonName) {
        KeyPair pair = Keys.generate(KeyType.EC256);
        Instant now = clock.instant();
        X509Certificate cert = TestCertificates.ca(commonName, pair.getPublic(),
                now.minus(CA_BACKDATE), now.plus(CA_VALIDITY), issuer(), issuerKey);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(cert);
        chain.addAll(intermediates);
        return new TestPki(clock, root, rootKey, chain, pair.getPrivate());
    }

    /** Starts a leaf issued by this PKI's issuer with the DNS names as SANs (CN = first one). */
    public LeafBuilder leaf(String... dnsNames) {
        return new LeafBuilder(this, clock, dnsNames);
    }

    /** Starts a self-signed leaf with the DNS names as SANs, timed by the system clock. */
    public static LeafBuilder selfSigned(String... dnsNames) {
        return new LeafBuilder(null, Clock.systemUTC(), dnsNames);
    }

    /** Starts a self-signed leaf with the DNS names as SANs, timed by the clock. */
    public static LeafBuilder selfSigned(Clock clock, String... dnsNames) {
        return new LeafBuilder(null, clock, dnsNames);
    }

    /** The root CA certificate. */
    public X509Certificate root() {
        return root;
    }

    /** The root CA's private key. */
    public PrivateKey rootKey() {
        return rootKey;
    }

    /** The CA that issues this PKI's leaves: the last intermediate added, or the root. */
    public X509Certificate issuer() {
        return intermediates.isEmpty() ? root : intermediates.get(0);
    }

    /** The issuing CA's private key. */
    public PrivateKey issuerKey() {
        return issuerKey;
    }

    /** The intermediates, the issuing one first (the order they follow a leaf in a chain). */
    public List<X509Certificate> intermediates() {
        return intermediates;
    }

    /** The issuing CA as a mailcert {@link CertificateAuthority} using this PKI's clock. */
    public CertificateAuthority authority() {
        return new CertificateAuthority(issuer(), issuerKey, clock);
    }

    /** The clock this PKI takes "now" from. */
    public Clock clock() {
        return clock;
    }

    /** Chooses a leaf's names, validity and key, then {@link #issue()}s it. Not thread-safe. */
    public static final class LeafBuilder {
        private TestPki pki;
        private final Clock clock;
        private final List<String> dnsNames;
        private final List<String> ipAddresses = new ArrayList<>();
        private String commonName;
        private KeyType keyType = KeyType.EC256;
        private KeyPair keyPair;
        private Instant notBefore;
        private Instant notAfter;

        private LeafBuilder(TestPki pki, Clock clock, String... dnsNames) {
            this.pki = pki;
            this.clock = clock;
            this.dnsNames = List.of(dnsNames);
            this.commonName = dnsNames.length > 0 ? dnsNames[0] : null;
            Instant now = clock.instant();
            this.notBefore = now.minus(LEAF_BACKDATE);
            this.notAfter = now.plus(LEAF_VALIDITY);
        }

        /** Sets the subject CN (by default the first DNS name); null leaves the subject empty. */
        public LeafBuilder commonName(String cn) {
            this.commonName = cn;
            return this;
        }

        /** Adds IP address SANs (literals such as "192.0.2.25" or "2001:db8::25"). */
        public LeafBuilder ipAddresses(String... addresses) {
            ipAddresses.addAll(Arrays.asList(addresses));
            return this;
        }

        /** Uses a new key of the type (EC256 by default). */
        public LeafBuilder keyType(KeyType type) {
            this.keyType = Objects.requireNonNull(type);
            this.keyPair = null;
            return this;
        }

        /** Uses a new RSA 2048 key. */
        public LeafBuilder rsa() {
            return keyType(KeyType.RSA2048);
        }

        /** Uses a new EC P-256 key (the default). */
        public LeafBuilder ec() {
            return keyType(KeyType.EC256);
        }

        /** Uses this key pair (say, Ed25519, or one shared by two leaves). */
        public LeafBuilder keyPair(KeyPair pair) {
            this.keyPair = Objects.requireNonNull(pair);
            return this;
        }

        /** Sets the validity window. */
        public LeafBuilder validity(Instant from, Instant until) {
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        /** Valid from an hour ago for the duration from now. */
        public LeafBuilder validFor(Duration duration) {
            Instant now = clock.instant();
            return validity(now.minus(LEAF_BACKDATE), now.plus(duration));
        }

        /** Valid for 90 days that ended yesterday. */
        public LeafBuilder expired() {
            Instant now = clock.instant();
            return validity(now.minus(Duration.ofDays(91)), now.minus(Duration.ofDays(1)));
        }

        /** Valid for 90 days starting tomorrow. */
        public LeafBuilder notYetValid() {
            Instant now = clock.instant();
            return validity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(91)));
        }

        /** Makes the leaf sign itself instead of being issued by the PKI. */
        public LeafBuilder selfSigned() {
            this.pki = null;
            return this;
        }

        /** Generates the key (unless given) and signs the leaf. */
        public Leaf issue() {
            if (commonName == null && dnsNames.isEmpty() && ipAddresses.isEmpty()) {
                throw new IllegalStateException("a leaf needs a DNS name, an IP or a CN");
            }
            KeyPair pair = keyPair != null ? keyPair : Keys.generate(keyType);
            X509Certificate cert = TestCertificates.leaf(commonName, dnsNames, ipAddresses,
                    pair.getPublic(), notBefore, notAfter,
                    pki == null ? null : pki.issuer(),
                    pki == null ? pair.getPrivate() : pki.issuerKey());
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(cert);
            X509Certificate root = cert;
            if (pki != null) {
                chain.addAll(pki.intermediates());
                root = pki.root();
            }
            return new Leaf(pair, chain, root);
        }
    }

    /** An issued leaf with its key and chain, and exporters for every format mailcert reads. */
    public static final class Leaf {
        private final KeyPair keyPair;
        private final List<X509Certificate> chain;
        private final X509Certificate root;

        private Leaf(KeyPair keyPair, List<X509Certificate> chain, X509Certificate root) {
            this.keyPair = keyPair;
            this.chain = List.copyOf(chain);
            this.root = root;
        }

        /** The leaf certificate. */
        public X509Certificate certificate() {
            return chain.get(0);
        }

        /** The leaf's private key. */
        public PrivateKey key() {
            return keyPair.getPrivate();
        }

        /** The leaf's key pair. */
        public KeyPair keyPair() {
            return keyPair;
        }

        /** The chain a server sends: leaf first, then intermediates, without the root. */
        public List<X509Certificate> chain() {
            return chain;
        }

        /** The chain followed by the root (for a self-signed leaf, just the leaf). */
        public List<X509Certificate> chainWithRoot() {
            if (chain.get(chain.size() - 1).equals(root)) {
                return chain;
            }
            List<X509Certificate> all = new ArrayList<>(chain);
            all.add(root);
            return List.copyOf(all);
        }

        /** The root CA this leaf chains to; a self-signed leaf is its own root. */
        public X509Certificate root() {
            return root;
        }

        /** The chain as PEM, leaf first, without the root. */
        public String chainPem() {
            return Pem.certificates(chain);
        }

        /** The chain and root as PEM, leaf first. */
        public String chainPemWithRoot() {
            return Pem.certificates(chainWithRoot());
        }

        /** The chain and root as PEM in reverse order (root first, leaf last): never in order. */
        public String chainPemReversed() {
            List<X509Certificate> reversed = new ArrayList<>(chainWithRoot());
            Collections.reverse(reversed);
            return Pem.certificates(reversed);
        }

        /** The key as unencrypted PKCS#8 ({@code PRIVATE KEY}). */
        public String keyPem() {
            return Pem.privateKey(key());
        }

        /** The key as encrypted PKCS#8 ({@code ENCRYPTED PRIVATE KEY}, PBES2 AES-256-CBC). */
        public String encryptedKeyPem(char[] password) {
            return TestCertificates.encryptedPkcs8Pem(key(), password);
        }

        /** The RSA key as PKCS#1 ({@code RSA PRIVATE KEY}). */
        public String pkcs1KeyPem() {
            return TestCertificates.pkcs1Pem(key());
        }

        /** The EC key as SEC1 ({@code EC PRIVATE KEY}, naming its curve). */
        public String sec1KeyPem() {
            return TestCertificates.sec1Pem(keyPair);
        }

        /** The chain and key in one PEM text, as many mail servers keep them. */
        public String combinedPem() {
            return chainPem() + keyPem();
        }

        /** The key and chain as a PKCS#12 file made by the JDK, protected by the password. */
        public byte[] pkcs12(char[] password) {
            try {
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                store.setKeyEntry("mailcert", key(), password, chain.toArray(new Certificate[0]));
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                store.store(out, password);
                return out.toByteArray();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot write PKCS#12", e);
            }
        }
    }
}
