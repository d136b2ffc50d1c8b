package org.mailcert.common.pki;

import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.mailcert.common.pki.BadMaterialException.Reason;

/** Maps key algorithm identifiers to JDK names, and names EC curves. */
final class KeyAlgorithms {
    /** The named EC curves the JDK supports, by OID, with their NIST names. */
    static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256",
            SECObjectIdentifiers.secp384r1, "P-384",
            SECObjectIdentifiers.secp521r1, "P-521");

    private KeyAlgorithms() {}

    /** Maps a key's algorithm identifier to a JDK KeyFactory name, refusing what we do not take. */
    static String jdkName(AlgorithmIdentifier id) throws BadMaterialException {
        ASN1ObjectIdentifier oid = id.getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            return "RSA";
        }
        if (oid.equals(PKCSObjectIdentifiers.id_RSASSA_PSS)) {
            return "RSASSA-PSS";
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return "Ed25519";
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed448)) {
            return "Ed448";
        }
        if (oid.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            ASN1Encodable params = id.getParameters();
            if (!(params instanceof ASN1ObjectIdentifier)) {
                throw new BadMaterialException(Reason.UNSUPPORTED_KEY, "the EC key uses explicit"
                        + " curve parameters; use a named curve (P-256, P-384 or P-521)");
            }
            if (!CURVES.containsKey(params)) {
                throw new BadMaterialException(Reason.UNSUPPORTED_KEY, "EC curve "
                        + curveName((ASN1ObjectIdentifier) params)
                        + " is not supported; use P-256, P-384 or P-521");
            }
            return "EC";
        }
        throw new BadMaterialException(Reason.UNSUPPORTED_KEY, "key algorithm " + oid.getId()
                + " is not supported; use RSA, EC (P-256, P-384, P-521) or Ed25519");
    }

    /** A curve's NIST or SEC name, or its OID when it has none. */
    static String curveName(ASN1ObjectIdentifier oid) {
        String nist = CURVES.get(oid);
        if (nist != null) {
            return nist;
        }
        String name = ECNamedCurveTable.getName(oid);
        return name != null ? name : oid.getId();
    }
}
