package org.mailcert.agent.transport;

import io.grpc.ManagedChannel;
import org.mailcert.agent.identity.Identity;

/**
 * Opens the channel for one Sync stream. Production uses {@link TlsChannels#sync()}; tests hand in
 * an in-process channel and record which identity asked.
 */
@FunctionalInterface
public interface ChannelFactory {
    /**
     * Opens a channel authenticated by the identity (its key and certificate, trusting only its CA).
     *
     * @throws IllegalStateException when the identity cannot be turned into TLS credentials
     */
    ManagedChannel open(Identity identity);
}
