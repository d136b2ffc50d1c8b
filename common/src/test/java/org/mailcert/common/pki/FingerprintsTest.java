package org.mailcert.common.pki;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mailcert.common.testing.TestPki;

class FingerprintsTest {
    static Stream<Arguments> vectors() {
        return Stream.of(
                Arguments.of("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                Arguments.of("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    @ParameterizedTest(name = "sha256(\"{0}\") is the FIPS 180 value")
    @MethodSource("vectors")
    void sha256HexMatchesKnownVectors(String input, String hex) {
        assertEquals(hex, Fingerprints.sha256Hex(input.getBytes(US_ASCII)));
    }

    @Test
    void certificateFingerprintsAreDigestsOfTheDer() throws Exception {
        var cert = TestPki.rootCa("Test Root").root();
        assertEquals(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-256").digest(cert.getEncoded())),
                Fingerprints.sha256Hex(cert));
        assertEquals(HexFormat.of().formatHex(
                MessageDigest.getInstance("SHA-1").digest(cert.getEncoded())),
                Fingerprints.sha1Hex(cert));
    }
}
