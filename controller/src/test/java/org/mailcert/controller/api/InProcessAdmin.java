package org.mailcert.controller.api;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.mailcert.controller.bindings.BindingStates;
import org.mailcert.controller.events.EventFeed;
import org.mailcert.controller.issuers.IssuerService;
import org.mailcert.controller.issuers.RequestService;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;

/** The admin API over the services of a {@link Controllers}, in process, with bearer-token authentication. */
final class InProcessAdmin implements AutoCloseable {
    private final ExecutorService feed = Executors.newCachedThreadPool();
    private final Server server;
    private final ManagedChannel channel;

    InProcessAdmin(Controllers c) throws IOException {
        this(c, null, null);
    }

    /** With the ACME services (either may be null: those calls answer UNAVAILABLE). */
    InProcessAdmin(Controllers c, IssuerService issuers, RequestService requests) throws IOException {
        AdminGrpcService service = new AdminGrpcService(c.hosts, c.certificates, c.bindings, c.clientSettings,
                new EventFeed(c.store, feed), c.adminTokens, new BindingStates(c.store), c.drift, issuers, requests,
                requests == null ? null : new org.mailcert.controller.issuers.BundleService(c.store, requests,
                        c.bindings));
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor().addService(service.withAuth()).build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    }

    /** A stub sending {@code token}, or none when it is null. */
    AdminServiceBlockingStub as(String token) {
        AdminServiceBlockingStub stub = AdminServiceGrpc.newBlockingStub(channel);
        return token == null ? stub : stub.withCallCredentials(new org.mailcert.controller.cli.BearerToken(token));
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        feed.shutdownNow();
    }
}
