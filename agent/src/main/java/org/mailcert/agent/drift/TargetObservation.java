package org.mailcert.agent.drift;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.mailcert.agent.probe.Endpoint;

/**
 * What one target observed, without handshakes.
 *
 * @param target the target's name
 * @param files each binding's files (by binding id), as found
 * @param configs the managed configuration items, as found
 * @param endpoints where the target's server serves TLS
 * @param names each SNI name the server serves (to probe) and the binding it serves it for
 * @param perDomain whether the server can serve per-domain certificates at all
 * @param serverWide whether a client without SNI gets the server-wide certificate at the endpoints
 *     (a mail server's); false for webmail servers, which serve only named sites and are probed by name
 */
public record TargetObservation(String target, Map<String, List<Observed.File>> files, List<Observed.Config> configs,
        List<Endpoint> endpoints, Map<String, String> names, boolean perDomain, boolean serverWide) {
    /** Copies the collections and refuses nulls. */
    public TargetObservation {
        Objects.requireNonNull(target, "target");
        files = Map.copyOf(files);
        configs = List.copyOf(configs);
        endpoints = List.copyOf(endpoints);
        names = Map.copyOf(names);
    }

    /** A mail server's observation: its endpoints serve the server-wide certificate without SNI. */
    public TargetObservation(String target, Map<String, List<Observed.File>> files, List<Observed.Config> configs,
            List<Endpoint> endpoints, Map<String, String> names, boolean perDomain) {
        this(target, files, configs, endpoints, names, perDomain, true);
    }
}
