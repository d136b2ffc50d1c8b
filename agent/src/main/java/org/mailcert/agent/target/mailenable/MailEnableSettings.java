package org.mailcert.agent.target.mailenable;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.mailcert.agent.probe.Endpoint;

/**
 * How the MailEnable target works on this host.
 *
 * @param windowsDir the agent's Windows directory (PFX scratch files, imported thumbprints)
 * @param probeAddress where MailEnable's TLS ports are probed
 * @param tlsPorts service name ({@code smtp}, {@code imaps}, ...) to port, for the services to probe
 * @param deadline how long restarted services may take to serve the new certificate
 * @param commandTimeout how long one command may run (a service restart waits for the service)
 * @param keyReader the account MailEnable's services run as, granted read access to the key
 * @param services the services that serve TLS and are restarted when they run
 */
public record MailEnableSettings(Path windowsDir, String probeAddress, Map<String, Integer> tlsPorts, Duration deadline,
        Duration commandTimeout, String keyReader, List<String> services) {
    /** MailEnable's SMTP, IMAP and POP services. UNVERIFIED: names taken from public automation, not MailEnable's docs. */
    public static final List<String> SERVICES = List.of("MESMTPCS", "MEIMAPS", "MEPOPS");
    /** The account MailEnable's services run as. UNVERIFIED: from public automation, not MailEnable's docs. */
    public static final String KEY_READER = "IME_SYSTEM";

    /** Refuses nulls and unknown services, copies the collections. */
    public MailEnableSettings {
        Objects.requireNonNull(windowsDir, "windowsDir");
        Objects.requireNonNull(probeAddress, "probeAddress");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(keyReader, "keyReader");
        tlsPorts = Map.copyOf(new TreeMap<>(tlsPorts));
        tlsPorts.keySet().forEach(Endpoint::protocolOf);
        services = List.copyOf(services);
    }

    /** Probing SMTP on 25 (STARTTLS) and IMAPS on 993 at {@code 127.0.0.1}, 30 s deadline, 2 min per command. */
    public static MailEnableSettings defaults(Path dataDir) {
        return new MailEnableSettings(dataDir.resolve("windows"), "127.0.0.1", Map.of("smtp", 25, "imaps", 993),
                Duration.ofSeconds(30), Duration.ofMinutes(2), KEY_READER, SERVICES);
    }

    /** The endpoints to probe, sorted by service. */
    public List<Endpoint> endpoints() {
        List<Endpoint> list = new ArrayList<>();
        new TreeMap<>(tlsPorts).forEach((s, p) -> list.add(new Endpoint(s, probeAddress, p, Endpoint.protocolOf(s))));
        return list;
    }
}
