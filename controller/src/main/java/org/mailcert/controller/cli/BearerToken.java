package org.mailcert.controller.cli;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/** Adds {@code authorization: Bearer <token>} to each call's headers. */
public final class BearerToken extends CallCredentials {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final String token;

    /** Credentials that send the given admin token. */
    public BearerToken(String token) {
        this.token = token;
    }

    @Override
    public void applyRequestMetadata(RequestInfo requestInfo, Executor executor, MetadataApplier applier) {
        try {
            Metadata headers = new Metadata();
            headers.put(AUTHORIZATION, "Bearer " + token);
            applier.apply(headers);
        } catch (IllegalArgumentException e) {
            // Metadata refuses characters a header cannot carry; say so without echoing the token.
            applier.fail(Status.UNAUTHENTICATED.withDescription("the admin token contains characters a header cannot carry"));
        }
    }

    @Override
    public String toString() {
        return "BearerToken[<redacted>]";
    }
}
