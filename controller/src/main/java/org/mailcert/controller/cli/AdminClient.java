package org.mailcert.controller.cli;

import io.grpc.ManagedChannel;
import java.time.Duration;
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

}
