package org.mailcert.controller.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * A real BIND 9 ({@code /usr/sbin/named -g}) on 127.0.0.1 and a free port (UDP and TCP) for
 * integration tests, with a TSIG key from {@code tsig-keygen} that may update only
 * {@code _acme-challenge} TXT records. Zones:
 * <ul>
 *   <li>{@code example.test}: NS {@code ns1.example.test} (A 127.0.0.1); the key may update TXT at
 *       {@code _acme-challenge.example.test} and {@code _acme-challenge.mail.example.test};
 *       {@code _acme-challenge.cname.example.test} is a CNAME to {@code cname.acme.delegate.test}.</li>
 *   <li>{@code delegate.test}: the key may update TXT anywhere under {@code acme.delegate.test}.</li>
 * </ul>
 * Runs as the current user with everything in {@code dir}; {@link #close()} stops it.
 */
public final class BindInstance implements AutoCloseable {
    /** The TSIG key's name. */
    public static final String KEY_NAME = "mailcert-acme";
    /** The key's algorithm. */
    public static final String ALGORITHM = "hmac-sha256";
    private static final Path NAMED = Path.of("/usr/sbin/named");
    private static final Path TSIG_KEYGEN = Path.of("/usr/sbin/tsig-keygen");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Path dir;
    private final int port;
    private final byte[] secret;
    private final Process process;

    private BindInstance(Path dir, int port, byte[] secret, Process process) {
        this.dir = dir;
        this.port = port;
        this.secret = secret;
        this.process = process;
    }

    /** Generates a key, writes the configuration and zones into {@code dir}, starts named and waits until it answers. */
    public static BindInstance start(Path dir) throws Exception {
        return start(dir, List.of());
    }

    /**
     * As {@link #start(Path)}, the key also allowed to update the TXT records {@code
     * _acme-challenge.<d>} of each of {@code moreDomains} (names under example.test).
     */
    public static BindInstance start(Path dir, List<String> moreDomains) throws Exception {
        for (Path tool : List.of(NAMED, TSIG_KEYGEN)) {
            if (!Files.isExecutable(tool)) {
                throw new IllegalStateException(tool + " is missing: install bind9 and bind9-utils (scripts/install-deps.sh)");
            }
        }
        Files.createDirectories(dir);
        String keyConf = run(TSIG_KEYGEN.toString(), "-a", ALGORITHM, KEY_NAME);
        Files.writeString(dir.resolve("key.conf"), keyConf);
        Matcher secret = Pattern.compile("secret \"([^\"]+)\"").matcher(keyConf);
        if (!secret.find()) {
            throw new IllegalStateException("no secret in tsig-keygen's output:\n" + keyConf);
        }
        Files.writeString(dir.resolve("example.test.zone"), """
                $TTL 60
                @ IN SOA ns1.example.test. hostmaster.example.test. 1 3600 600 86400 60
                @ IN NS ns1.example.test.
                ns1 IN A 127.0.0.1
                _acme-challenge.cname IN CNAME cname.acme.delegate.test.
                """);
        Files.writeString(dir.resolve("delegate.test.zone"), """
                $TTL 60
                @ IN SOA ns1.example.test. hostmaster.delegate.test. 1 3600 600 86400 60
                @ IN NS ns1.example.test.
                """);
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = freePort();
            Files.writeString(dir.resolve("named.conf"), config(dir, port, moreDomains));
            Path log = dir.resolve("named.log");
            Process process = new ProcessBuilder(NAMED.toString(), "-g", "-c", dir.resolve("named.conf").toString())
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
            BindInstance bind = new BindInstance(dir, port, Base64.getDecoder().decode(secret.group(1)), process);
            try {
                bind.awaitAnswering();
                return bind;
            } catch (IllegalStateException e) {
                bind.close();
                last = e;
                if (!Files.readString(log).contains("address in use")) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** The named.conf for {@code dir} and {@code port}: loopback only, no rndc, the two zones. */
    static String config(Path dir, int port, List<String> moreDomains) {
        String d = dir.toAbsolutePath().toString();
        StringBuilder more = new StringBuilder();
        for (String domain : moreDomains) {
            if (!domain.matches("[a-z0-9.-]+\\.example\\.test")) {
                throw new IllegalArgumentException("not a name under example.test: " + domain);
            }
            more.append("    grant ").append(KEY_NAME).append(" name _acme-challenge.").append(domain).append(". TXT;\n");
        }
        return """
                options {
                  directory "%1$s";
                  pid-file "%1$s/named.pid";
                  session-keyfile "%1$s/session.key";
                  managed-keys-directory "%1$s";
                  listen-on port %2$d { 127.0.0.1; };
                  listen-on-v6 { none; };
                  recursion no;
                  dnssec-validation no;
                  notify no;
                };
                controls { };
                include "%1$s/key.conf";
                zone "example.test" {
                  type primary;
                  file "%1$s/example.test.zone";
                  update-policy {
                    grant %3$s name _acme-challenge.example.test. TXT;
                    grant %3$s name _acme-challenge.mail.example.test. TXT;
                %4$s  };
                };
                zone "delegate.test" {
                  type primary;
                  file "%1$s/delegate.test.zone";
                  update-policy {
                    grant %3$s subdomain acme.delegate.test. TXT;
                  };
                };
                """.formatted(d, port, KEY_NAME, more);
    }

    /** The port named listens on (UDP and TCP). */
    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The TSIG key's secret. */
    public byte[] secret() {
        return secret.clone();
    }

    /** The TXT values at {@code name} (absolute), asked directly over UDP. */
    public List<String> txt(String name) throws IOException {
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        resolver.setTimeout(Duration.ofSeconds(5));
        Message response = resolver.send(Message.newQuery(Record.newRecord(Name.fromString(name), Type.TXT, DClass.IN)));
        List<String> values = new ArrayList<>();
        for (Record record : response.getSection(Section.ANSWER)) {
            if (record instanceof TXTRecord txt && record.getName().equals(Name.fromString(name))) {
                values.addAll(txt.getStrings());
            }
        }
        return values;
    }

    /** What named printed so far. */
    public String log() throws IOException {
        Path log = dir.resolve("named.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void awaitAnswering() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        resolver.setTimeout(Duration.ofMillis(500));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("example.test."), Type.SOA, DClass.IN));
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("named exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (resolver.send(query).getRcode() == Rcode.NOERROR) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("named did not answer within " + START_TIMEOUT.toSeconds() + " s:\n" + log());
    }

    /** A port free on 127.0.0.1 for both TCP and UDP at the time of asking. */
    private static int freePort() throws IOException {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                    return port;
                } catch (IOException e) {
                    // UDP side taken; try another
                }
            }
        }
        throw new IOException("no port free for both TCP and UDP on 127.0.0.1");
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }
}
