package org.mailcert.agent.target.qmail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.target.keychain.SniSupport;

/**
 * Where qmail lives and how to check it.
 *
 * @param root the qmail directory ({@code /var/qmail}); its {@code control/} holds the certificates
 * @param sni whether per-domain certificates are served: {@link SniSupport#DETECT} means yes exactly
 *     when {@code control/servercerts/} exists (sagredo's SNI layout)
 * @param probeAddress where the TLS ports are probed ({@code 127.0.0.1})
 * @param tlsPorts service name ({@code smtp}, {@code submission}, {@code smtps}) to port, for the
 *     services qmail serves TLS on; qmail has no config that says so, so empty means no probing
 * @param deadline how long a probe may take to show the new certificate
 */
public record QmailSettings(Path root, SniSupport sni, String probeAddress, Map<String, Integer> tlsPorts,
        Duration deadline) {
    /** The default qmail directory. */
    public static final Path DEFAULT_ROOT = Path.of("/var/qmail");

    /** Refuses nulls and unknown services, copies the ports. */
    public QmailSettings {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(sni, "sni");
        Objects.requireNonNull(probeAddress, "probeAddress");
        Objects.requireNonNull(deadline, "deadline");
        tlsPorts = Map.copyOf(new TreeMap<>(tlsPorts));
        for (String service : tlsPorts.keySet()) {
            Endpoint.protocolOf(service);
        }
    }

    /** {@code /var/qmail}, detected SNI, no probing, 10 s deadline. */
    public static QmailSettings defaults() {
        return new QmailSettings(DEFAULT_ROOT, SniSupport.DETECT, "127.0.0.1", Map.of(), Duration.ofSeconds(10));
    }

    /** The endpoints to probe, sorted by service. */
    public List<Endpoint> endpoints() {
        List<Endpoint> endpoints = new ArrayList<>();
        new TreeMap<>(tlsPorts).forEach((service, port) -> endpoints.add(new Endpoint(service, probeAddress, port,
                Endpoint.protocolOf(service))));
        return endpoints;
    }
}
