package org.mailcert.bench;

import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.mailcert.common.pki.Pem;

/** gRPC channels to the controller: always 127.0.0.1, TLS trusting its CA, authority "localhost". */
final class Channels {
    private Channels() {
    }

    /** A TLS channel without a client certificate (admin calls, enrollment). */
    static ManagedChannel tls(int port, byte[] caPem) throws IOException {
        return NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port),
                        TlsChannelCredentials.newBuilder().trustManager(new ByteArrayInputStream(caPem)).build())
                .overrideAuthority("localhost").build();
    }

    /**
     * Makes an agent's mTLS channels: its client certificate and key (one TLS context per agent,
     * made once), a new channel and so a new TCP connection per call, keepalive pings every 30 s
     * (the controller permits one per 20 s), callbacks on the event loop. The agent makes one
     * channel per connection attempt, so that its own back-off alone decides when to connect.
     */
    static Supplier<ManagedChannel> agent(int port, byte[] caPem, String certPem, PrivateKey key) throws IOException {
        SslContext tls = GrpcSslContexts.forClient()
                .trustManager(new ByteArrayInputStream(caPem))
                .keyManager(new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)),
                        new ByteArrayInputStream(Pem.privateKey(key).getBytes(StandardCharsets.US_ASCII)))
                .build();
        InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
        return () -> NettyChannelBuilder.forAddress(address)
                .sslContext(tls)
                .overrideAuthority("localhost")
                .directExecutor()
                .keepAliveTime(30, TimeUnit.SECONDS)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .build();
    }
}
