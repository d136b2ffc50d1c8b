package org.mailcert.agent.transport;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import org.mailcert.agent.identity.ControllerTrustManager;
import org.mailcert.agent.identity.Identity;
import org.mailcert.common.net.ControllerAddress;

/**
 * Builds TLS channels to the controller. Every channel trusts exactly one CA through {@link
 * ControllerTrustManager}; Sync channels also present the agent's client certificate and send
 * keepalive pings (by default every 30 s with a 10 s timeout, also without calls), which the
 * controller permits (it allows one every 10 s, gRPC's floor), so a dead controller is noticed
 * within about 40 s.
 */
public final class TlsChannels {
    /** Interval of keepalive pings on Sync channels. */
    public static final Duration KEEPALIVE_TIME = Duration.ofSeconds(30);
    /** How long a keepalive ping may go unanswered before the connection is considered dead. */
    public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

    private TlsChannels() {
    }

    /** The shortest keepalive interval gRPC clients may use (they raise shorter ones to this). */
    public static final Duration KEEPALIVE_MIN = Duration.ofSeconds(10);

    /** Channels for Sync with the default keepalive. */
    public static ChannelFactory sync() {
        return sync(KEEPALIVE_TIME, KEEPALIVE_TIMEOUT);
    }

    /**
     * Channels for Sync: mTLS with the identity, trusting its CA for the controller's address, with
     * a keepalive ping after {@code keepalive} without traffic that must be answered within
     * {@code timeout}, else the stream fails and the agent reconnects.
     */
    public static ChannelFactory sync(Duration keepalive, Duration timeout) {
        return identity -> {
            ControllerAddress address = identity.settings().controller();
            ChannelCredentials credentials = TlsChannelCredentials.newBuilder()
                    .keyManager(keyManager(identity))
                    .trustManager(ControllerTrustManager.anchored(identity.ca(), address.host()))
                    .build();
            return Grpc.newChannelBuilderForAddress(address.host(), address.port(), credentials)
                    .keepAliveTime(keepalive.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .keepAliveWithoutCalls(true)
                    .build();
        };
    }

    /** A channel for Enroll: TLS without a client certificate, judged by {@code trust}. */
    static ManagedChannel enrollment(ControllerAddress address, ControllerTrustManager trust) {
        ChannelCredentials credentials = TlsChannelCredentials.newBuilder().trustManager(trust).build();
        return Grpc.newChannelBuilderForAddress(address.host(), address.port(), credentials).build();
    }

    /** The identity's key and certificate as a key manager, held in memory only. */
    static KeyManager[] keyManager(Identity identity) {
        try {
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("agent", identity.key(), password,
                    identity.chain().toArray(new X509Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot use the identity's key for TLS: " + e.getMessage(), e);
        }
    }
}
