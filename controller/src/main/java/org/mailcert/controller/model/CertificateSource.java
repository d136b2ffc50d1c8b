package org.mailcert.controller.model;

/** How a certificate version came to the controller. */
public enum CertificateSource {
    IMPORTED_PEM,
    IMPORTED_PKCS12,
    ACME,
    SELF_SIGNED
}
