package org.mailcert.bench;

import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;
import org.mailcert.controller.cli.BearerToken;
import org.mailcert.proto.v1.AdminServiceGrpc;

/** Admin calls with the controller's first admin token, each with its own deadline. */
final class Admin implements AutoCloseable {
    private final ManagedChannel channel;
    private final BearerToken token;

    Admin(ManagedChannel channel, String token) {
        this.channel = channel;
        this.token = new BearerToken(token);
    }

    /** A blocking stub whose next call must finish within 60 s. */
    AdminServiceGrpc.AdminServiceBlockingStub call() {
        return AdminServiceGrpc.newBlockingStub(channel).withCallCredentials(token)
                .withDeadlineAfter(60, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
