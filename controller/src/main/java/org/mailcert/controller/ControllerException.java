package org.mailcert.controller;

/**
 * Root of the controller's checked exceptions. Each subclass says what kind of problem it is, so
 * the gRPC adapter maps it to a status in one place; the message is written for the admin.
 */
public class ControllerException extends Exception {
    private static final long serialVersionUID = 1L;

    /** The broad kinds of failure a caller can act on. */
    public enum Kind {
        /** The request is malformed or breaks a rule (bad name, certificate does not cover it). */
        INVALID,
        /** A named host, certificate, binding or token does not exist. */
        NOT_FOUND,
        /** The thing being created exists already. */
        ALREADY_EXISTS,
        /** The state does not allow it now (certificate still bound, token used). */
        FAILED_PRECONDITION,
        /** The caller's credentials do not allow it. */
        PERMISSION_DENIED,
        /** No or unknown credentials. */
        UNAUTHENTICATED,
        /** The controller cannot serve now (shutting down); try again later. */
        UNAVAILABLE,
        /** The controller itself failed (storage, I/O); not the caller's fault. */
        INTERNAL
    }

    private final Kind kind;

    public ControllerException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ControllerException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** What kind of failure this is. */
    public Kind kind() {
        return kind;
    }

    public static ControllerException invalid(String message) {
        return new ControllerException(Kind.INVALID, message);
    }

    public static ControllerException notFound(String message) {
        return new ControllerException(Kind.NOT_FOUND, message);
    }

    public static ControllerException alreadyExists(String message) {
        return new ControllerException(Kind.ALREADY_EXISTS, message);
    }

    public static ControllerException failedPrecondition(String message) {
        return new ControllerException(Kind.FAILED_PRECONDITION, message);
    }

    public static ControllerException permissionDenied(String message) {
        return new ControllerException(Kind.PERMISSION_DENIED, message);
    }

    public static ControllerException unauthenticated(String message) {
        return new ControllerException(Kind.UNAUTHENTICATED, message);
    }

    public static ControllerException unavailable(String message) {
        return new ControllerException(Kind.UNAVAILABLE, message);
    }

    public static ControllerException internal(String message, Throwable cause) {
        return new ControllerException(Kind.INTERNAL, message, cause);
    }
}
