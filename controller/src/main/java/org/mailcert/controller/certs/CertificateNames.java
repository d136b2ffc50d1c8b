package org.mailcert.controller.certs;

import java.util.regex.Pattern;
import org.mailcert.common.names.DnsNames;
import org.mailcert.controller.ControllerException;

/** The rule for certificate names: they become file and directory names on hosts. */
public final class CertificateNames {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private CertificateNames() {
    }

    /** Returns the name if it is acceptable, else throws with what is allowed. */
    public static String require(String name) throws ControllerException {
        return require("certificate", name);
    }

    /** The same rule for other names that become keys and file names ({@code what}: "issuer"). */
    public static String require(String what, String name) throws ControllerException {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw ControllerException.invalid("invalid " + what + " name \"" + DnsNames.displaySafe(String.valueOf(name))
                    + "\": use 1-64 lower-case letters, digits, '.', '-' or '_', starting with a letter or digit, no '..'");
        }
        return name;
    }
}
