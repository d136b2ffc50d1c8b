package org.mailcert.controller.store;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.testing.TestPki;

/**
 * Keys and certificates for store tests, minted by common's {@link TestPki}. Key pairs are made
 * once per JVM (RSA generation is slow); {@link #ec()} and {@link #ec2()} are different keys.
 */
final class Samples {
    private static final KeyPair RSA = Keys.generate(Keys.KeyType.RSA2048);
    private static final KeyPair EC = Keys.generate(Keys.KeyType.EC256);
    private static final KeyPair EC2 = Keys.generate(Keys.KeyType.EC256);

    private Samples() {
    }

    static KeyPair rsa() {
        return RSA;
    }

    static KeyPair ec() {
        return EC;
    }

    static KeyPair ec2() {
        return EC2;
    }

    /** A self-signed certificate for {@code keys} with the given common name. */
    static X509Certificate selfSigned(KeyPair keys, String commonName) {
        return TestPki.selfSigned().commonName(commonName).keyPair(keys).issue().certificate();
    }
}
