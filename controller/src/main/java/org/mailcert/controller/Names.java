package org.mailcert.controller;

import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;

/** The strict DNS-name rule applied to every host and domain name the controller accepts. */
public final class Names {
    private Names() {
    }

    /** A host FQDN, normalised (lower case, A-labels), or an INVALID error naming the problem. */
    public static String host(String raw) throws ControllerException {
        return normalise("host", raw);
    }

    /** A mail domain, normalised, or an INVALID error naming the problem. */
    public static String domain(String raw) throws ControllerException {
        return normalise("domain", raw);
    }

    private static String normalise(String what, String raw) throws ControllerException {
        try {
            return DnsNames.hostname(raw == null ? "" : raw);
        } catch (InvalidNameException e) {
            throw ControllerException.invalid(what + " name refused: " + e.getMessage());
        }
    }
}
