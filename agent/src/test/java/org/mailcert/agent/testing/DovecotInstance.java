package org.mailcert.agent.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.common.testing.TestPki;

/**
 * A separate, real Dovecot from Debian's packages for integration tests: {@code dovecot -c FILE} as a
 * plain process listening on 127.0.0.1 only, on free ports chosen at start for IMAP (STARTTLS),
 * IMAPS, POP3 (STARTTLS) and POP3S, with its own {@code base_dir}, {@code state_dir} and
 * {@code log_path} under the given directory. Its {@code dovecot.conf} ends with
 * {@code !include conf.d/*.conf} as Debian's does, so {@link #include()} ({@code conf.d/99-mailcert.conf})
 * is included; before mailcert writes that it serves a self-signed {@link #initialLeaf()}. Stop it
 * with {@link #close()} (in {@code @AfterAll}/{@code @AfterEach}); nothing stays running. Fails with a
 * clear message, never skips, when Dovecot is not installed.
 */
public final class DovecotInstance implements AutoCloseable {
    /** The address everything listens on. */
    public static final String ADDRESS = "127.0.0.1";

    private final Path dir;
    private final Path config;
    private final int imap;
    private final int imaps;
    private final int pop3;
    private final int pop3s;
    private final TestPki.Leaf initial;
    private boolean running;

    private DovecotInstance(Path dir, int[] ports, TestPki.Leaf initial) {
        this.dir = dir.toAbsolutePath();
        this.config = this.dir.resolve("etc/dovecot.conf");
        this.imap = ports[0];
        this.imaps = ports[1];
        this.pop3 = ports[2];
        this.pop3s = ports[3];
        this.initial = initial;
    }

    /**
     * Writes the configuration into {@code dir} and starts Dovecot, waiting until every port accepts.
     *
     * @throws IllegalStateException if Dovecot is missing or does not start (with its log)
     */
    public static DovecotInstance start(Path dir) throws IOException, InterruptedException {
        requireInstalled();
        TestPki.Leaf initial = TestPki.selfSigned("initial.dovecot.test").issue();
        DovecotInstance d = new DovecotInstance(dir, freePorts(4), initial);
        d.writeConfig();
        d.startProcess();
        return d;
    }

    /** Fails with a clear message unless Debian's Dovecot programs are installed. */
    public static void requireInstalled() {
        for (String p : List.of("/usr/sbin/dovecot", "/usr/bin/doveconf", "/usr/bin/doveadm",
                "/usr/lib/dovecot/imap-login", "/usr/lib/dovecot/pop3-login")) {
            if (!Files.isExecutable(Path.of(p))) {
                throw new IllegalStateException(p + " is missing: install Debian's dovecot-core, dovecot-imapd and"
                        + " dovecot-pop3d (apt-get install dovecot-core dovecot-imapd dovecot-pop3d)");
            }
        }
    }

    /** The main configuration file, for {@code -c}. */
    public Path config() {
        return config;
    }

    /** The {@code conf.d} directory the main file includes with {@code !include conf.d/*.conf}. */
    public Path confDir() {
        return config.resolveSibling("conf.d");
    }

    /** The managed include's path ({@code conf.d/99-mailcert.conf}). */
    public Path include() {
        return confDir().resolve("99-mailcert.conf");
    }

    /** Dovecot's log file. */
    public Path logFile() {
        return dir.resolve("dovecot.log");
    }

    /** The log so far. */
    public String log() throws IOException {
        return Files.isRegularFile(logFile()) ? Files.readString(logFile(), UTF_8) : "";
    }

    /** The self-signed certificate served before anything else is configured. */
    public TestPki.Leaf initialLeaf() {
        return initial;
    }

    /** IMAP (STARTTLS) port. */
    public int imapPort() {
        return imap;
    }

    /** IMAPS port. */
    public int imapsPort() {
        return imaps;
    }

    /** POP3 (STARTTLS) port. */
    public int pop3Port() {
        return pop3;
    }

    /** POP3S port. */
    public int pop3sPort() {
        return pop3s;
    }

    /** The four TLS endpoints, in the order the configuration lists them. */
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("imap", ADDRESS, imap, Protocol.IMAP_STARTTLS),
                new Endpoint("imaps", ADDRESS, imaps, Protocol.IMPLICIT),
                new Endpoint("pop3", ADDRESS, pop3, Protocol.POP3_STARTTLS),
                new Endpoint("pop3s", ADDRESS, pop3s, Protocol.IMPLICIT));
    }

    /** Writes (or replaces) a file in {@code conf.d}, as an admin or a package would. */
    public Path writeConfFile(String name, String content) throws IOException {
        Path f = confDir().resolve(name);
        Files.writeString(f, content, UTF_8);
        return f;
    }

    /** The master process's id, from {@code base_dir/master.pid}. */
    public long pid() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("run/master.pid"), US_ASCII).strip());
    }

    /** Whether the master process is alive. */
    public boolean alive() {
        try {
            return ProcessHandle.of(pid()).map(ProcessHandle::isAlive).orElse(false);
        } catch (IOException | NumberFormatException e) {
            return false;
        }
    }

    /** Stops Dovecot ({@code doveadm stop}, then SIGKILL if it lingers) and waits until it is gone. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (!running) {
            return;
        }
        running = false;
        long pid;
        try {
            pid = pid();
        } catch (IOException | NumberFormatException e) {
            return;
        }
        exec(List.of("doveadm", "-c", config.toString(), "stop"), 20);
        ProcessHandle h = ProcessHandle.of(pid).orElse(null);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (h != null && h.isAlive() && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        if (h != null && h.isAlive()) {
            h.destroyForcibly();
        }
    }

    private void writeConfig() throws IOException {
        Path etc = Files.createDirectories(config.getParent());
        Files.createDirectories(etc.resolve("conf.d"));
        Path run = Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        Files.createDirectories(dir.resolve("home"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path initialCert = Files.writeString(etc.resolve("initial.pem"), initial.chainPem(), US_ASCII);
        Path initialKey = etc.resolve("initial.key");
        Files.writeString(initialKey, initial.keyPem(), US_ASCII);
        Files.setPosixFilePermissions(initialKey, PosixFilePermissions.fromString("rw-------"));
        String conf = String.join("\n",
                "# A Dovecot for mailcert's integration tests: loopback only, everything under " + dir,
                "base_dir = " + run,
                "state_dir = " + dir.resolve("state"),
                "log_path = " + logFile(),
                "instance_name = mailcert-test-" + imap,
                "protocols = imap pop3",
                "listen = " + ADDRESS,
                "ssl = yes",
                "ssl_cert = <" + initialCert,
                "ssl_key = <" + initialKey,
                "auth_mechanisms = plain",
                "passdb {", "  driver = static", "  args = nopassword=y", "}",
                "userdb {", "  driver = static", "  args = uid=dovecot gid=dovecot home=" + dir.resolve("home") + "/%u",
                "}",
                "mail_location = maildir:~/Maildir",
                "service imap-login {",
                "  inet_listener imap {", "    port = " + imap, "  }",
                "  inet_listener imaps {", "    port = " + imaps, "    ssl = yes", "  }",
                "}",
                "service pop3-login {",
                "  inet_listener pop3 {", "    port = " + pop3, "  }",
                "  inet_listener pop3s {", "    port = " + pop3s, "    ssl = yes", "  }",
                "}",
                "!include conf.d/*.conf",
                "");
        Files.writeString(config, conf, UTF_8);
        // Dovecot refuses an !include glob that matches nothing.
        Files.writeString(etc.resolve("conf.d/00-test.conf"), "# this instance's own settings: none\n", UTF_8);
    }

    private void startProcess() throws IOException, InterruptedException {
        String out = exec(List.of("dovecot", "-c", config.toString()), 30);
        running = true;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < end) {
            if (alive() && accepts(imap) && accepts(imaps) && accepts(pop3) && accepts(pop3s)) {
                return;
            }
            Thread.sleep(50);
        }
        close();
        throw new IllegalStateException("dovecot did not start: " + out + "\n" + log());
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ADDRESS, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Runs a command with its output in a file: a daemon keeps a pipe open, a file it can keep. */
    private String exec(List<String> command, int seconds) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "command", ".out");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + seconds + " s");
        }
        String out = Files.readString(output, UTF_8).strip();
        Files.deleteIfExists(output);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress(ADDRESS, 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
