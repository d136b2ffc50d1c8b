package org.mailcert.controller.cli;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;

/**
 * The CLI's one connection to the controller: a channel and a stub that sends the admin token as
 * {@code authorization: Bearer <token>} on every call. Closing it shuts the channel down.
 */
final class AdminClient implements AutoCloseable {
    /** How long one unary call may take. */
    static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

    static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final ManagedChannel channel;
    private final AdminServiceBlockingStub stub;
    private final ConnectionSettings settings;

    AdminClient(ManagedChannel channel, ConnectionSettings settings) {
        this.channel = channel;
        this.settings = settings;
        this.stub = AdminServiceGrpc.newBlockingStub(channel).withCallCredentials(new BearerToken(settings.token()));
    }

    /** A stub for one unary call, with its own {@link #CALL_DEADLINE} starting now. */
    AdminServiceBlockingStub call() {
        return stub.withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** A stub without deadline, for streams that run until the user stops them. */
    AdminServiceBlockingStub stream() {
        return stub;
    }

    /** What this client connects with. */
    ConnectionSettings settings() {
        return settings;
    }

    /** Shuts the channel down, waiting briefly for calls in flight. */
    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(2, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Adds the bearer token to each call's headers. */
    static final class BearerToken extends CallCredentials {
        private final String token;

        BearerToken(String token) {
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
}
