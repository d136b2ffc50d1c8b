package org.mailcert.agent.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;

/**
 * A separate, real Postfix instance for integration tests, started with {@code postfix -c DIR
 * start} from Debian's packages. It listens on 127.0.0.1 only, on free ports chosen at start, for
 * smtp (STARTTLS), submission (STARTTLS) and smtps (wrapper mode, implicit TLS), and keeps its
 * configuration, queue, data directory (owned by {@code postfix}) and {@code maillog_file} in the
 * given directory, so {@code /etc/postfix} is never touched. The directory's ancestors get search
 * permission ({@code o+x}) so the {@code postfix} user can reach its data and queue directories. Until a test changes it, Postfix serves
 * a self-signed bootstrap certificate through the legacy {@code smtpd_tls_cert_file} /
 * {@code smtpd_tls_key_file}, as Debian's snakeoil default does. Needs root (the master process
 * must run as root); fails with a clear message if Postfix is missing. {@link #close()} stops it.
 */
public final class PostfixInstance implements AutoCloseable {
    /** The host name the instance uses for itself. */
    public static final String HOSTNAME = "postfix-it.test.invalid";
    private static final String POSTFIX = "/usr/sbin/postfix";
    private static final String POSTCONF = "/usr/sbin/postconf";
    private static final long START_TIMEOUT_MILLIS = 20_000;

    private final Path dir;
    private final Path configDir;
    private final int smtpPort;
    private final int submissionPort;
    private final int smtpsPort;
    private final String bootstrapSha256;
    private boolean running;

    private PostfixInstance(Path dir, int smtpPort, int submissionPort, int smtpsPort, String bootstrapSha256) {
        this.dir = dir;
        this.configDir = dir.resolve("conf");
        this.smtpPort = smtpPort;
        this.submissionPort = submissionPort;
        this.smtpsPort = smtpsPort;
        this.bootstrapSha256 = bootstrapSha256;
    }

    /**
     * Writes a configuration into {@code dir} (a fresh temporary directory, made traversable for the
     * {@code postfix} user) and starts Postfix; returns once all three ports accept connections.
     *
     * @throws IllegalStateException if Postfix is not installed, the test does not run as root, or
     *     Postfix does not start (with the end of its log)
     */
    public static PostfixInstance start(Path dir) throws IOException, InterruptedException {
        requirements();
        Path d = Files.createDirectories(dir.toAbsolutePath().normalize());
        Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        traversable(d.getParent());
        Path conf = Files.createDirectories(d.resolve("conf"));
        Files.createDirectories(d.resolve("queue"));
        Path data = Files.createDirectories(d.resolve("data"));
        run(List.of("chown", "postfix", data.toString()));
        TestPki.Leaf bootstrap = TestPki.selfSigned(HOSTNAME).issue();
        Path key = conf.resolve("bootstrap.key");
        Files.writeString(key, bootstrap.keyPem(), US_ASCII);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(conf.resolve("bootstrap.crt"), bootstrap.chainPem(), US_ASCII);
        int[] ports = freePorts(3);
        PostfixInstance instance = new PostfixInstance(d, ports[0], ports[1], ports[2],
                Fingerprints.sha256Hex(bootstrap.certificate()));
        Files.writeString(conf.resolve("main.cf"), instance.mainCf(), UTF_8);
        Files.writeString(conf.resolve("master.cf"), instance.masterCf(), UTF_8);
        instance.startPostfix();
        return instance;
    }

    /** The instance's configuration directory (pass as {@code -c DIR}). */
    public Path configDir() {
        return configDir;
    }

    /** The directory everything of this instance lives in. */
    public Path dir() {
        return dir;
    }

    /** Postfix's log file. */
    public Path maillog() {
        return dir.resolve("maillog");
    }

    /** The SMTP port (STARTTLS). */
    public int smtpPort() {
        return smtpPort;
    }

    /** The submission port (STARTTLS). */
    public int submissionPort() {
        return submissionPort;
    }

    /** The SMTPS port (implicit TLS). */
    public int smtpsPort() {
        return smtpsPort;
    }

    /** The three TLS endpoints on 127.0.0.1. */
    public List<Endpoint> endpoints() {
        return List.of(new Endpoint("smtp", "127.0.0.1", smtpPort, Protocol.SMTP_STARTTLS),
                new Endpoint("submission", "127.0.0.1", submissionPort, Protocol.SMTP_STARTTLS),
                new Endpoint("smtps", "127.0.0.1", smtpsPort, Protocol.IMPLICIT));
    }

    /** The SHA-256 of the self-signed certificate served before anything else is configured. */
    public String bootstrapSha256() {
        return bootstrapSha256;
    }

    /** Runs {@code postconf -c DIR ARGS...} and returns its output; fails on a non-zero exit. */
    public String postconf(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(POSTCONF, "-c", configDir.toString()));
        argv.addAll(List.of(args));
        return run(argv);
    }

    /** Runs {@code postfix -c DIR reload}, as an admin would after editing main.cf. */
    public void reload() throws IOException, InterruptedException {
        run(List.of(POSTFIX, "-c", configDir.toString(), "reload"));
    }

    /** The last lines of the log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(maillog(), UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops Postfix ({@code postfix stop}) and waits until its master process is gone. */
    public void stop() throws IOException, InterruptedException {
        if (!running) {
            return;
        }
        Optional<ProcessHandle> master = master();
        runQuietly(List.of(POSTFIX, "-c", configDir.toString(), "stop"));
        if (master.isPresent()) {
            ProcessHandle m = master.get();
            long end = System.currentTimeMillis() + 10_000;
            while (m.isAlive() && System.currentTimeMillis() < end) {
                Thread.sleep(50);
            }
            if (m.isAlive()) {
                m.descendants().forEach(ProcessHandle::destroyForcibly);
                m.destroyForcibly();
            }
        }
        running = false;
    }

    /** Stops Postfix. */
    @Override
    public void close() throws IOException, InterruptedException {
        stop();
    }

    private void startPostfix() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(POSTFIX, "-c", configDir.toString(), "start").redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("postfix -c " + configDir + " start failed: " + out + "\n" + logTail());
        }
        running = true;
        long end = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        for (int port : new int[] {smtpPort, submissionPort, smtpsPort}) {
            while (!accepts(port)) {
                if (System.currentTimeMillis() > end) {
                    stop();
                    throw new IllegalStateException("Postfix does not listen on 127.0.0.1:" + port + "\n" + logTail());
                }
                Thread.sleep(50);
            }
        }
    }

    private Optional<ProcessHandle> master() {
        try {
            String pid = Files.readString(dir.resolve("queue").resolve("pid").resolve("master.pid"), US_ASCII).strip();
            return ProcessHandle.of(Long.parseLong(pid));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private String mainCf() {
        return String.join("\n",
                "# A test instance made by PostfixInstance.",
                "compatibility_level = 3.6",
                "queue_directory = " + dir.resolve("queue"),
                "data_directory = " + dir.resolve("data"),
                "mail_owner = postfix",
                "setgid_group = postdrop",
                "myhostname = " + HOSTNAME,
                "mydestination = $myhostname, localhost",
                "inet_interfaces = 127.0.0.1",
                "inet_protocols = ipv4",
                "maillog_file_prefixes = " + dir,
                "maillog_file = " + maillog(),
                "smtpd_tls_security_level = may",
                "smtpd_tls_cert_file = " + configDir.resolve("bootstrap.crt"),
                "smtpd_tls_key_file = " + configDir.resolve("bootstrap.key"),
                "smtpd_tls_loglevel = 1",
                "");
    }

    private String masterCf() {
        String[] services = {
            "127.0.0.1:" + smtpPort + " inet n - n - - smtpd",
            "127.0.0.1:" + submissionPort + " inet n - n - - smtpd -o syslog_name=postfix/submission"
                    + " -o smtpd_tls_security_level=encrypt",
            "127.0.0.1:" + smtpsPort + " inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes",
            "pickup unix n - n 60 1 pickup",
            "cleanup unix n - n - 0 cleanup",
            "qmgr unix n - n 300 1 qmgr",
            "tlsmgr unix - - n 1000? 1 tlsmgr",
            "rewrite unix - - n - - trivial-rewrite",
            "bounce unix - - n - 0 bounce",
            "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce",
            "verify unix - - n - 1 verify",
            "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap",
            "showq unix n - n - - showq",
            "error unix - - n - - error",
            "retry unix - - n - - error",
            "discard unix - - n - - discard",
            "local unix - n n - - local",
            "anvil unix - - n - 1 anvil",
            "scache unix - - n - 1 scache",
            "postlog unix-dgram n - n - 1 postlogd",
        };
        return "# A test instance made by PostfixInstance.\n" + String.join("\n", services) + "\n";
    }

    private static void requirements() {
        if (!Files.isExecutable(Path.of(POSTFIX)) || !Files.isExecutable(Path.of(POSTCONF))) {
            throw new IllegalStateException("Postfix is not installed (" + POSTFIX + " missing): install Debian's"
                    + " packages postfix and postfix-lmdb");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("Postfix's master process must run as root; run the tests as root");
        }
    }

    /** Lets the postfix user pass through the directory and its ancestors (a JUnit temp dir is 0700). */
    private static void traversable(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(p));
            if (perms.add(PosixFilePermission.OTHERS_EXECUTE) | perms.add(PosixFilePermission.GROUP_EXECUTE)) {
                Files.setPosixFilePermissions(p, perms);
            }
        }
    }

    private static int[] freePorts(int count) throws IOException {
        int[] ports = new int[count];
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                ServerSocket s = new ServerSocket();
                s.bind(new InetSocketAddress("127.0.0.1", 0));
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return ports;
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed: " + out.strip());
        }
        return out;
    }

    private static void runQuietly(List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
