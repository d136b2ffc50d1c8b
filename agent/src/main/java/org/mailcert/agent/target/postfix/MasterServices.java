package org.mailcert.agent.target.postfix;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

/**
 * The TLS endpoints in {@code postconf -M} output: {@code inet} services run by {@code smtpd} that
 * offer TLS. {@code smtpd_tls_wrappermode=yes} (or the names {@code smtps}/{@code submissions}, port
 * 465) means implicit TLS, reported as {@code smtps}; otherwise STARTTLS when the effective {@code
 * smtpd_tls_security_level} is {@code may} or {@code encrypt} (or the legacy {@code smtpd_use_tls} /
 * {@code smtpd_enforce_tls} say yes), reported as {@code submission} for port 587 or a {@code
 * syslog_name} ending in {@code /submission}, else {@code smtp}. A service name {@code host:port}
 * gives the port and address; a wildcard or missing address becomes the probe address.
 */
final class MasterServices {
    static final String WRAPPERMODE = "smtpd_tls_wrappermode";
    static final String SECURITY_LEVEL = "smtpd_tls_security_level";
    static final String USE_TLS = "smtpd_use_tls";
    static final String ENFORCE_TLS = "smtpd_enforce_tls";
    /** The main.cf parameters whose values decide whether a service offers TLS. */
    static final String[] GLOBAL_PARAMETERS = {SECURITY_LEVEL, USE_TLS, ENFORCE_TLS, WRAPPERMODE};

    private static final Pattern BRACED_OPTION = Pattern.compile("-o\\s+\\{\\s*([^=\\s}]+)\\s*=\\s*([^}]*?)\\s*}");
    private static final Pattern OPTION = Pattern.compile("-o\\s+([^=\\s{]+)=(\\S*)");
    private static final Map<String, Integer> WELL_KNOWN_PORTS = Map.of("smtp", 25, "submission", 587, "smtps", 465,
            "submissions", 465, "urd", 465);

    private MasterServices() {
    }

    /**
     * The endpoints of the TLS-offering smtpd services, in master.cf order.
     *
     * @param postconfM the output of {@code postconf -M}
     * @param global main.cf's effective values of {@link #GLOBAL_PARAMETERS}
     * @param probeAddress the address to probe services listening on every address
     * @param problems where to add a line for each service that cannot be understood
     */
    static List<Endpoint> endpoints(String postconfM, Map<String, String> global, String probeAddress,
            List<String> problems) {
        List<Endpoint> endpoints = new ArrayList<>();
        for (String line : postconfM.split("\\R")) {
            String[] f = line.strip().split("\\s+", 9);
            if (f.length < 8 || !f[1].equals("inet") || !f[7].equals("smtpd")) {
                continue;
            }
            Map<String, String> options = options(f.length > 8 ? f[8] : "");
            String name = f[0];
            int colon = name.lastIndexOf(':');
            String host = colon < 0 ? "" : name.substring(0, colon);
            String portName = colon < 0 ? name : name.substring(colon + 1);
            Integer port = port(portName);
            if (port == null) {
                problems.add("master.cf service " + name + ": unknown port " + portName + "; not probed");
                continue;
            }
            boolean wrapper = yes(options.getOrDefault(WRAPPERMODE, global.getOrDefault(WRAPPERMODE, "no")))
                    || portName.equals("smtps") || portName.equals("submissions");
            String service;
            if (wrapper) {
                service = "smtps";
            } else if (offersStartTls(options, global)) {
                service = port == 587 || options.getOrDefault("syslog_name", "").endsWith("/submission")
                        ? "submission" : "smtp";
            } else {
                continue;
            }
            Protocol protocol = wrapper ? Protocol.IMPLICIT : Protocol.SMTP_STARTTLS;
            endpoints.add(new Endpoint(service, address(host, probeAddress), port, protocol));
        }
        return endpoints;
    }

    /** The {@code -o name=value} overrides of one service. */
    static Map<String, String> options(String args) {
        Map<String, String> options = new LinkedHashMap<>();
        Matcher braced = BRACED_OPTION.matcher(args);
        while (braced.find()) {
            options.put(braced.group(1), braced.group(2));
        }
        Matcher plain = OPTION.matcher(BRACED_OPTION.matcher(args).replaceAll(" "));
        while (plain.find()) {
            options.put(plain.group(1), plain.group(2));
        }
        return options;
    }

    private static boolean offersStartTls(Map<String, String> options, Map<String, String> global) {
        String level = options.getOrDefault(SECURITY_LEVEL, global.getOrDefault(SECURITY_LEVEL, ""))
                .toLowerCase(Locale.ROOT);
        if (level.startsWith("$")) {
            return true; // a reference to another parameter: assume TLS and let the probe tell
        }
        if (!level.isEmpty()) {
            return level.equals("may") || level.equals("encrypt");
        }
        return yes(options.getOrDefault(USE_TLS, global.getOrDefault(USE_TLS, "no")))
                || yes(options.getOrDefault(ENFORCE_TLS, global.getOrDefault(ENFORCE_TLS, "no")));
    }

    private static Integer port(String name) {
        if (name.matches("[0-9]{1,5}")) {
            int p = Integer.parseInt(name);
            return p >= 1 && p <= 65535 ? p : null;
        }
        return WELL_KNOWN_PORTS.get(name);
    }

    private static String address(String host, String probeAddress) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.isEmpty() || h.equals("*") || h.equals("0.0.0.0") || h.equals("::") ? probeAddress : h;
    }

    private static boolean yes(String value) {
        return value.strip().equalsIgnoreCase("yes");
    }
}
