package org.mailcert.common.pki;

import java.util.Objects;
import org.mailcert.common.MailcertException;

/**
 * Certificate or key material was refused; the reason says what kind of problem it is and the
 * message, one line, what is wrong and what to do. Never carries key bytes.
 */
public final class BadMaterialException extends MailcertException {
    private static final long serialVersionUID = 1L;

    /** What is wrong with the material. */
    public enum Reason {
        /** Not PEM, PKCS#12 or DER where it should be, or the encoding does not parse. */
        MALFORMED,
        /** A PEM block was started but not finished. */
        TRUNCATED,
        /** The material holds no certificate. */
        NO_CERTIFICATE,
        /** The material holds no private key. */
        NO_KEY,
        /** The material holds more than one private key. */
        MULTIPLE_KEYS,
        /** The password does not open the material. */
        WRONG_PASSWORD,
        /** The material is encrypted and no password was given. */
        PASSWORD_REQUIRED,
        /** A key of a kind or in an encoding this system does not take. */
        UNSUPPORTED_KEY,
        /** The private key does not belong to the certificate. */
        KEY_MISMATCH,
        /** The certificates do not form one chain from a leaf upwards. */
        CHAIN_BROKEN,
        /** A certificate has expired. */
        EXPIRED,
        /** A certificate is not valid yet. */
        NOT_YET_VALID
    }

    private final Reason reason;

    /** Creates the exception with its reason and a one-line message. */
    public BadMaterialException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Creates the exception with its reason, a one-line message and the error it translates. */
    public BadMaterialException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** What is wrong with the material. */
    public Reason reason() {
        return reason;
    }
}
