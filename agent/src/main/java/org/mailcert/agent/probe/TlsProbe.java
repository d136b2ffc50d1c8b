package org.mailcert.agent.probe;

import java.util.Optional;

/** Completes a TLS handshake with a service and reports the certificate it served. */
public interface TlsProbe {
    /**
     * Connects, reaches TLS as the endpoint's protocol says and returns the served leaf.
     *
     * @param sniName the name to send as SNI; empty to send none (what most SMTP senders do)
     * @throws ProbeException if no handshake completed within the probe's timeouts
     */
    ProbeResult probe(Endpoint endpoint, Optional<String> sniName) throws ProbeException;
}
