package org.mailcert.controller.issuers;

import org.mailcert.controller.model.DnsSolverConfig;

/**
 * An issuer to add, as the admin gave it.
 *
 * @param directoryCaPem PEM roots for the directory's TLS; empty for the JDK's only
 * @param eabKid External Account Binding key id; empty without EAB
 * @param eabHmac the EAB HMAC key, base64url as CAs hand it out; empty without EAB (a secret)
 * @param tsigSecret the TSIG secret, base64, for an RFC 2136 solver; empty otherwise (a secret)
 */
public record IssuerRequest(String name, String directoryUrl, String email, String directoryCaPem, String eabKid,
        String eabHmac, DnsSolverConfig dns, String tsigSecret) {
    @Override
    public String toString() {
        return "IssuerRequest[" + name + ", " + directoryUrl + "]";
    }
}
