package org.mailcert.controller.certs;

/**
 * Material for a certificate import: either PEM (chain and optionally a separate key) or a
 * PKCS#12 bundle with its password.
 */
public record ImportRequest(String name, byte[] chainPem, byte[] keyPem, byte[] pkcs12, char[] password,
        boolean newVersion) {

    /** Whether the material is a PKCS#12 bundle. */
    public boolean isPkcs12() {
        return pkcs12 != null && pkcs12.length > 0;
    }
}
