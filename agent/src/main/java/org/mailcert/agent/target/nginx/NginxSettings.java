package org.mailcert.agent.target.nginx;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

/**
 * Where nginx lives and what the webmail server blocks serve.
 *
 * @param nginx the nginx binary
 * @param configFile nginx's main configuration ({@code nginx -t -c} and {@code -s reload} use it)
 * @param managedFile the file the agent writes (one {@code server} block per webmail name); nginx's
 *     configuration must include it (Debian's includes {@code conf.d/*.conf})
 * @param certDir where the agent keeps each certificate's key-and-chain file (0600)
 * @param listen what the blocks listen on, one {@code listen} line each: a port, or address:port ({@code 443},
 *     {@code 127.0.0.1:8443}, {@code [::]:443} for IPv6 beside {@code 443} for IPv4)
 * @param upstream where the webmail application is
 * @param deadline how long a reloaded nginx may take to serve the new certificate
 */
public record NginxSettings(Path nginx, Path configFile, Path managedFile, Path certDir, List<String> listen,
        Upstream upstream, Duration deadline) {
    /** Debian's nginx binary. */
    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Pattern LISTEN = Pattern.compile("(?:(\\d{1,3}(?:\\.\\d{1,3}){3}|\\[[0-9a-fA-F:]+\\]):)?(\\d{1,5})");
    /** Characters nginx takes literally in an unquoted path or URL (no spaces, quotes, ';', '{', '}', '$'). */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._~/:%@+=,-]+");

    /** Checks every value that ends up in nginx's configuration. */
    public NginxSettings {
        Objects.requireNonNull(nginx, "nginx");
        Objects.requireNonNull(configFile, "configFile");
        Objects.requireNonNull(managedFile, "managedFile");
        Objects.requireNonNull(certDir, "certDir");
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(deadline, "deadline");
        listen = List.copyOf(listen);
        if (listen.isEmpty()) {
            throw new IllegalArgumentException("nginx listen: give at least one PORT or ADDRESS:PORT");
        }
        for (String l : listen) {
            if (!LISTEN.matcher(l).matches() || port(l) < 1 || port(l) > 65535) {
                throw new IllegalArgumentException("nginx listen \"" + l + "\" is not PORT or ADDRESS:PORT");
            }
        }
        for (Path p : new Path[] {managedFile, certDir}) {
            if (!PLAIN.matcher(p.toString()).matches()) {
                throw new IllegalArgumentException("nginx path " + p + " has characters the configuration cannot hold");
            }
        }
    }

    /** Where the webmail application is: a proxied URL or a document root. */
    public sealed interface Upstream {
        /** The lines inside {@code location / { }}. */
        String directives();
    }

    /** {@code proxy_pass URL} with the usual forwarded headers. */
    public record Proxy(URI url) implements Upstream {
        /** Only http or https URLs with a host, in characters nginx takes literally. */
        public Proxy {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme();
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null
                    || !PLAIN.matcher(url.toString()).matches() || url.getQuery() != null || url.getFragment() != null) {
                throw new IllegalArgumentException("webmail upstream \"" + url
                        + "\" must be an http(s) URL such as http://127.0.0.1:8080 (no spaces, quotes, query)");
            }
        }

        @Override
        public String directives() {
            return "        proxy_pass " + url + ";\n"
                    + "        proxy_set_header Host $host;\n"
                    + "        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
                    + "        proxy_set_header X-Forwarded-Proto https;\n";
        }
    }

    /** {@code root DIR} with {@code index.php index.html}: the webmail application's files, served as they are. */
    public record Root(Path dir) implements Upstream {
        /** Only absolute paths in characters nginx takes literally. */
        public Root {
            Objects.requireNonNull(dir, "dir");
            if (!dir.isAbsolute() || !PLAIN.matcher(dir.toString()).matches()) {
                throw new IllegalArgumentException("webmail root \"" + dir
                        + "\" must be an absolute path without spaces, quotes, ';', '{', '}' or '$'");
            }
        }

        @Override
        public String directives() {
            return "        root " + dir + ";\n        index index.php index.html;\n";
        }
    }

    /**
     * Where probes connect, once each: every listen address, with loopback for a wildcard ({@code 127.0.0.1}
     * for a port alone or {@code 0.0.0.0}, {@code ::1} for {@code [::]}).
     */
    public List<Endpoint> endpoints() {
        LinkedHashSet<Endpoint> out = new LinkedHashSet<>();
        for (String l : listen) {
            var m = LISTEN.matcher(l);
            m.matches();
            String address = m.group(1) == null ? "127.0.0.1" : m.group(1).replace("[", "").replace("]", "");
            if (address.equals("0.0.0.0")) {
                address = "127.0.0.1";
            } else if (address.equals("::")) {
                address = "::1";
            }
            out.add(new Endpoint("https", address, port(l), Protocol.IMPLICIT));
        }
        return List.copyOf(out);
    }

    /** The ports the blocks listen on. */
    public Set<Integer> ports() {
        return listen.stream().map(NginxSettings::port).collect(Collectors.toCollection(TreeSet::new));
    }

    private static int port(String listen) {
        var m = LISTEN.matcher(listen);
        return m.matches() ? Integer.parseInt(m.group(2)) : -1;
    }
}
