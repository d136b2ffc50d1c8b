package org.mailcert.controller.daemon;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.mailcert.controller.events.EventRetention;

/**
 * Validated settings of one controller process.
 *
 * @param names         DNS names the TLS server certificate carries
 * @param ips           IP addresses it carries
 * @param metricsListen where /metrics and /healthz are served; empty disables them
 * @param extraRoots    PEM bundle of roots trusted besides the JDK's when judging certificates
 * @param agentCertificateLifetime how long an agent's client certificate is valid
 * @param pageBytes     how large one page of an agent's desired state may grow
 * @param keepalive     how the controller finds dead agent connections
 * @param eventLog      how much of the event log is kept
 */
record ControllerConfig(Path dataDir, InetSocketAddress listen, List<String> names, List<String> ips,
        Optional<InetSocketAddress> metricsListen, Optional<Path> extraRoots, java.time.Duration agentCertificateLifetime,
        int pageBytes, Keepalive keepalive, EventRetention.Limits eventLog) {

    /**
     * The controller's own keepalive pings on agent connections: one after {@code time} without
     * traffic, and the connection is closed (the agent's stream ends, the host shows disconnected)
     * when it is not answered within {@code timeout}.
     */
    record Keepalive(java.time.Duration time, java.time.Duration timeout) {
        /** 60 s, 20 s. */
        static final Keepalive DEFAULT = new Keepalive(java.time.Duration.ofSeconds(60), java.time.Duration.ofSeconds(20));
    }
}
