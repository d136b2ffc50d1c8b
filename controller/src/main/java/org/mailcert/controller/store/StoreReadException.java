package org.mailcert.controller.store;

/**
 * A committed record could not be read: a storage I/O error or a damaged record. Unchecked because
 * the {@link Store} read methods declare no exceptions; the message is written for the admin.
 */
public final class StoreReadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A read failure with its cause. */
    public StoreReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
