package org.mailcert.controller.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.mailcert.controller.ControllerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where domain errors become gRPC statuses and where their logging is decided. */
final class Statuses {
    private static final Logger log = LoggerFactory.getLogger(Statuses.class);

    private Statuses() {
    }

    /** Maps any failure of a call; unexpected ones are logged in full and reported as INTERNAL. */
    static StatusRuntimeException of(String method, Throwable t) {
        if (t instanceof StatusRuntimeException s) {
            return s;
        }
        if (t instanceof ControllerException e) {
            Status status = switch (e.kind()) {
                case INVALID -> Status.INVALID_ARGUMENT;
                case NOT_FOUND -> Status.NOT_FOUND;
                case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
                case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
                case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
                case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
                case UNAVAILABLE -> Status.UNAVAILABLE;
                case INTERNAL -> Status.INTERNAL;
            };
            if (e.kind() == ControllerException.Kind.INTERNAL) {
                log.error("{} failed: {}", method, e.getMessage(), e);
            } else {
                log.debug("{} refused: {}", method, e.getMessage());
            }
            return status.withDescription(e.getMessage()).asRuntimeException();
        }
        log.error("{} failed unexpectedly", method, t);
        return Status.INTERNAL.withDescription("internal error in the controller; see its log").asRuntimeException();
    }
}
