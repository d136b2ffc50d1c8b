package org.mailcert.agent.target.courier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

/**
 * What Courier's configuration says about TLS: which files {@code TLS_CERTFILE} names in {@code
 * imapd-ssl}, {@code pop3d-ssl}, {@code esmtpd}, {@code esmtpd-msa} (the submission service, which
 * Courier's start script reads after {@code esmtpd}, so it inherits {@code TLS_CERTFILE} unless it
 * sets its own) and {@code esmtpd-ssl} (several may name the same file), and which TLS services are
 * switched on, on which ports.
 *
 * @param certFiles each distinct certificate file, with the configuration files that name it
 * @param endpoints the enabled TLS services at the probe address
 * @param problems what could not be used
 */
record CourierLayout(Map<Path, List<String>> certFiles, List<Endpoint> endpoints, List<String> problems) {
    /** The configuration files that may set {@code TLS_CERTFILE}. */
    static final List<String> TLS_CONFIGS = List.of("imapd-ssl", "pop3d-ssl", "esmtpd", "esmtpd-msa", "esmtpd-ssl");
    /** Every configuration file read: those that may set {@code TLS_CERTFILE}, then the plain services'. */
    static final List<String> CONFIGS = List.of("imapd-ssl", "pop3d-ssl", "esmtpd", "esmtpd-msa", "esmtpd-ssl", "imapd",
            "pop3d");
    private static final Map<String, Integer> SERVICE_PORTS = Map.of("smtp", 25, "smtps", 465, "submission", 587,
            "imap", 143, "imaps", 993, "pop3", 110, "pop3s", 995);

    CourierLayout {
        certFiles = Collections.unmodifiableMap(new LinkedHashMap<>(certFiles));
        endpoints = List.copyOf(endpoints);
        problems = List.copyOf(problems);
    }

    /** Reads the configuration in {@code dir}; endpoints use {@code probeAddress}. */
    static CourierLayout read(Path dir, String probeAddress) throws IOException {
        Map<String, CourierConfig> configs = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (String name : CONFIGS) {
            Optional<CourierConfig> c = CourierConfig.read(dir.resolve(name));
            c.ifPresent(config -> {
                configs.put(name, config);
                problems.addAll(config.problems());
            });
        }
        Map<Path, List<String>> certFiles = new LinkedHashMap<>();
        for (String name : TLS_CONFIGS) {
            CourierConfig c = configs.get(name);
            if (c == null || c.get("TLS_CERTFILE").isEmpty()) {
                continue;
            }
            String value = c.get("TLS_CERTFILE").get();
            Path file = Path.of(value);
            if (!file.isAbsolute() || !file.normalize().equals(file) || value.chars().anyMatch(Character::isISOControl)) {
                problems.add(c.file() + ": TLS_CERTFILE " + value + " is not a plain absolute path; not used");
                continue;
            }
            certFiles.computeIfAbsent(file, f -> new ArrayList<>()).add(name);
        }
        List<Endpoint> endpoints = new ArrayList<>();
        CourierConfig imapSsl = configs.get("imapd-ssl");
        CourierConfig imap = configs.get("imapd");
        CourierConfig popSsl = configs.get("pop3d-ssl");
        CourierConfig pop = configs.get("pop3d");
        CourierConfig smtp = configs.get("esmtpd");
        CourierConfig msa = configs.get("esmtpd-msa");
        CourierConfig smtpSsl = configs.get("esmtpd-ssl");
        if (imap != null && imap.enabled("IMAPDSTART", true) && imapSsl != null
                && imapSsl.enabled("IMAPDSTARTTLS", false)) {
            add(endpoints, problems, imap, "PORT", "imap", probeAddress);
        }
        if (imapSsl != null && imapSsl.enabled("IMAPDSSLSTART", false)) {
            add(endpoints, problems, imapSsl, "SSLPORT", "imaps", probeAddress);
        }
        if (pop != null && pop.enabled("POP3DSTART", true) && popSsl != null && popSsl.enabled("POP3_STARTTLS", false)) {
            add(endpoints, problems, pop, "PORT", "pop3", probeAddress);
        }
        if (popSsl != null && popSsl.enabled("POP3DSSLSTART", false)) {
            add(endpoints, problems, popSsl, "SSLPORT", "pop3s", probeAddress);
        }
        if (smtp != null && smtp.enabled("ESMTPDSTART", false)) {
            add(endpoints, problems, smtp, "PORT", "smtp", probeAddress);
        }
        if (msa != null && msa.enabled("ESMTPDSTART", false)) {
            add(endpoints, problems, msa, "PORT", "submission", probeAddress);
        }
        if (smtpSsl != null && smtpSsl.enabled("ESMTPDSSLSTART", false)) {
            add(endpoints, problems, smtpSsl, "SSLPORT", "smtps", probeAddress);
        }
        return new CourierLayout(certFiles, endpoints, problems);
    }

    /** Each configuration file that names a usable certificate file, with that file, in {@link #TLS_CONFIGS} order. */
    Map<String, String> certFileSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String config : TLS_CONFIGS) {
            certFiles.forEach((file, configs) -> {
                if (configs.contains(config)) {
                    settings.put(config, file.toString());
                }
            });
        }
        return Collections.unmodifiableMap(settings);
    }

    /**
     * Adds the service's endpoints from a port setting: {@code 993}, {@code imaps}, {@code
     * 127.0.0.1.993} or a comma-separated list of those; the well-known port when unset.
     */
    private static void add(List<Endpoint> endpoints, List<String> problems, CourierConfig c, String variable,
            String service, String address) {
        String value = c.get(variable).orElse(service);
        Protocol protocol = Endpoint.protocolOf(service);
        for (String entry : value.split(",")) {
            String port = entry.strip();
            port = port.substring(port.lastIndexOf('.') + 1);
            Integer number = SERVICE_PORTS.get(port);
            if (number == null) {
                try {
                    number = Integer.valueOf(port);
                } catch (NumberFormatException e) {
                    number = null;
                }
            }
            if (number == null || number < 1 || number > 65535) {
                problems.add(c.file() + ": " + variable + " " + value + " is not a port; " + service + " not probed");
                continue;
            }
            Endpoint e = new Endpoint(service, address, number, protocol);
            if (!endpoints.contains(e)) {
                endpoints.add(e);
            }
        }
    }
}
