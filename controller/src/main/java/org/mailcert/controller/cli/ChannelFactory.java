package org.mailcert.controller.cli;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import org.mailcert.common.net.ControllerAddress;

/**
 * Opens the channel to the controller. Production uses {@link #tls()}; tests hand in a factory
 * that returns an in-process channel and ignores the address.
 */
@FunctionalInterface
public interface ChannelFactory {

    /**
     * Opens a channel to {@code address}, trusting the CA certificates in {@code caFile} when
     * present and the JDK's default roots otherwise.
     *
     * @throws IOException when the CA file cannot be read or used
     */
    ManagedChannel open(ControllerAddress address, Optional<Path> caFile) throws IOException;

    /** The real transport: TLS always, no plaintext fallback. */
    static ChannelFactory tls() {
        return (address, caFile) -> {
            ChannelCredentials credentials = TlsChannelCredentials.create();
            if (caFile.isPresent()) {
                requireCertificates(caFile.get());
                credentials = TlsChannelCredentials.newBuilder().trustManager(caFile.get().toFile()).build();
            }
            try {
                return Grpc.newChannelBuilderForAddress(address.host(), address.port(), credentials).build();
            } catch (RuntimeException e) {
                // gRPC reports credentials its transport cannot use here, naming its providers.
                throw new IOException("the TLS transport cannot use it", e);
            }
        };
    }

    /** Fails with a short reason unless the file holds at least one X.509 certificate (PEM or DER). */
    private static void requireCertificates(Path caFile) throws IOException {
        try (InputStream in = Files.newInputStream(caFile)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                throw new IOException("it holds no certificate");
            }
        } catch (CertificateException e) {
            throw new IOException("it holds no readable PEM certificate", e);
        }
    }
}
