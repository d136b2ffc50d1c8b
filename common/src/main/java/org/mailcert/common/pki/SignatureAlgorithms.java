package org.mailcert.common.pki;

import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.security.interfaces.RSAKey;

/** Picks the JCA signature algorithm that suits a key. */
final class SignatureAlgorithms {
    private SignatureAlgorithms() {}

    /** The signature algorithm for a key: ECDSA with a hash that suits the curve, RSA, or EdDSA. */
    static String forKey(Key key) {
        String algorithm = key.getAlgorithm();
        switch (algorithm) {
            case "EC":
                int bits = key instanceof ECKey
                        ? ((ECKey) key).getParams().getCurve().getField().getFieldSize() : 256;
                return bits > 384 ? "SHA512withECDSA" : bits > 256 ? "SHA384withECDSA"
                        : "SHA256withECDSA";
            case "RSA":
                return "SHA256withRSA";
            case "EdDSA":
                return key instanceof EdECKey ? ((EdECKey) key).getParams().getName() : "Ed25519";
            case "Ed25519":
                return "Ed25519";
            case "Ed448":
                return "Ed448";
            default:
                if (key instanceof RSAKey) {
                    return "SHA256withRSA";
                }
                throw new IllegalArgumentException(
                        "no signature algorithm for " + algorithm + " keys");
        }
    }
}
