package org.mailcert.agent.target.dovecot;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

/**
 * Reads what {@code doveconf -c FILE protocols ssl log_path service} printed: the enabled protocols,
 * the global {@code ssl} setting, the log file, and the {@code inet_listener}s of
 * {@code imap-login} and {@code pop3-login} with their ports and {@code ssl = yes} (implicit TLS).
 * A port of 0 disables a listener.
 *
 * @param protocols the value of {@code protocols}
 * @param ssl the value of {@code ssl} ({@code yes}, {@code no}, {@code required})
 * @param logPath the value of {@code log_path} ({@code syslog} or a file)
 * @param listeners the TLS-capable listeners of enabled protocols, in the output's order
 */
public record Listeners(Set<String> protocols, String ssl, String logPath, List<Listener> listeners) {
    /**
     * One listener.
     *
     * @param service {@code imap}, {@code imaps}, {@code pop3} or {@code pop3s} by what it serves
     * @param port its port
     * @param implicit whether it has {@code ssl = yes}
     */
    public record Listener(String service, int port, boolean implicit) {
    }

    /** Copies the collections. */
    public Listeners {
        protocols = Set.copyOf(protocols);
        listeners = List.copyOf(listeners);
    }

    /** Parses doveconf's normalised output. */
    public static Listeners parse(String doveconfOutput) {
        Map<String, String> top = new HashMap<>();
        List<Listener> listeners = new ArrayList<>();
        List<String> stack = new ArrayList<>();
        String listenerPort = null;
        boolean listenerSsl = false;
        for (String raw : doveconfOutput.split("\\R")) {
            String line = raw.strip();
            if (line.endsWith("{")) {
                stack.add(line.substring(0, line.length() - 1).strip());
                listenerPort = null;
                listenerSsl = false;
            } else if (line.equals("}")) {
                if (stack.size() == 2 && stack.get(1).startsWith("inet_listener") && listenerPort != null) {
                    add(listeners, stack.get(0), listenerPort, listenerSsl);
                }
                if (!stack.isEmpty()) {
                    stack.remove(stack.size() - 1);
                }
            } else if (line.contains("=")) {
                String key = line.substring(0, line.indexOf('=')).strip();
                String value = line.substring(line.indexOf('=') + 1).strip();
                if (stack.isEmpty()) {
                    top.put(key, value);
                } else if (stack.size() == 2 && key.equals("port")) {
                    listenerPort = value;
                } else if (stack.size() == 2 && key.equals("ssl")) {
                    listenerSsl = value.equals("yes");
                }
            }
        }
        Set<String> protocols = Set.of(top.getOrDefault("protocols", "").split("\\s+"));
        List<Listener> enabled = listeners.stream()
                .filter(l -> protocols.contains(l.service().replaceAll("s$", "")))
                .toList();
        return new Listeners(protocols, top.getOrDefault("ssl", "yes"), top.getOrDefault("log_path", "syslog"),
                top.getOrDefault("ssl", "yes").equals("no") ? List.of() : enabled);
    }

    /** The endpoints to probe at {@code address}. */
    public List<Endpoint> endpoints(String address) {
        return listeners.stream().map(l -> new Endpoint(l.service(), address, l.port(),
                l.implicit() ? Protocol.IMPLICIT : l.service().equals("imap") ? Protocol.IMAP_STARTTLS
                        : Protocol.POP3_STARTTLS)).toList();
    }

    private static void add(List<Listener> listeners, String block, String port, boolean implicit) {
        String protocol = switch (block) {
            case "service imap-login" -> "imap";
            case "service pop3-login" -> "pop3";
            default -> null;
        };
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            return;
        }
        if (protocol != null && p > 0 && p <= 65535) {
            listeners.add(new Listener(implicit ? protocol + "s" : protocol, p, implicit));
        }
    }
}
