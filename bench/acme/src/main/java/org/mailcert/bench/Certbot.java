package org.mailcert.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code certbot} as an admin runs it against an ACME directory with the
 * {@code dns-rfc2136} plugin: one process per certificate, each worker with its own config, work
 * and logs directories (certbot locks them), Pebble's TLS root trusted through
 * {@code REQUESTS_CA_BUNDLE}.
 */
final class Certbot {
    static final String EMAIL = "admin@example.test";
    private static final long TIMEOUT_SECONDS = 180;

    private final Path executable;
    private final String directory;
    private final Path caBundle;
    private final Path credentials;
    private final int propagationSeconds;
    private final Path outputs;

    /**
     * @param credentials the plugin's INI file (see {@link #writeCredentials})
     * @param outputs where each run's standard output and error are kept, one file per run
     */
    Certbot(Path executable, String directory, Path caBundle, Path credentials, int propagationSeconds, Path outputs)
            throws IOException {
        this.executable = executable;
        this.directory = directory;
        this.caBundle = caBundle;
        this.credentials = credentials;
        this.propagationSeconds = propagationSeconds;
        this.outputs = Files.createDirectories(outputs);
    }

    /** One worker's directories. */
    record Dirs(Path config, Path work, Path logs) {
        static Dirs under(Path root) throws IOException {
            return new Dirs(Files.createDirectories(root.resolve("config")), Files.createDirectories(root.resolve("work")),
                    Files.createDirectories(root.resolve("logs")));
        }

        /** The issued leaf of a lineage named after {@code domain} (certbot drops a leading "*."). */
        Path leaf(String domain) {
            return config.resolve("live").resolve(domain).resolve("cert.pem");
        }
    }

    /**
     * Writes the dns-rfc2136 plugin's credentials, mode 0600 (certbot warns otherwise): the
     * server, port, TSIG key name, secret and algorithm. The secret goes only into this file.
     */
    static void writeCredentials(Path file, int port, String keyName, byte[] secret) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, "dns_rfc2136_server = 127.0.0.1\n"
                + "dns_rfc2136_port = " + port + "\n"
                + "dns_rfc2136_name = " + keyName + "\n"
                + "dns_rfc2136_secret = " + Base64.getEncoder().encodeToString(secret) + "\n"
                + "dns_rfc2136_algorithm = HMAC-SHA256\n", StandardCharsets.US_ASCII);
    }

    /** {@code certbot register}: the worker's ACME account, made once before anything is timed. */
    void register(Dirs dirs, String output) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "register", "--non-interactive",
                "--agree-tos", "-m", EMAIL, "--no-eff-email", "--server", directory));
        cmd.addAll(dirArgs(dirs));
        run(cmd, outputs.resolve(output + ".out"));
    }

    /**
     * {@code certbot certonly} for {@code *.<domain>} and {@code <domain>} by DNS-01 through
     * RFC 2136; returns once certbot has exited 0.
     */
    void issue(Dirs dirs, String domain) throws IOException, InterruptedException {
        run(command(dirs, domain), outputs.resolve(domain + ".out"));
    }

    /** The certonly command line for {@code domain} (also printed in the results). */
    List<String> command(Dirs dirs, String domain) {
        List<String> cmd = new ArrayList<>(List.of(executable.toString(), "certonly", "--non-interactive",
                "--agree-tos", "-m", EMAIL, "--no-eff-email", "--server", directory,
                "--dns-rfc2136", "--dns-rfc2136-credentials", credentials.toString(),
                "--dns-rfc2136-propagation-seconds", Integer.toString(propagationSeconds),
                "--key-type", "ecdsa", "-d", "*." + domain, "-d", domain));
        cmd.addAll(dirArgs(dirs));
        return cmd;
    }

    /** Checks that the lineage of {@code domain} holds a leaf naming exactly {@code *.domain} and {@code domain}. */
    static void verify(Dirs dirs, String domain) throws IOException {
        Path leaf = dirs.leaf(domain);
        if (!Files.exists(leaf)) {
            throw new IllegalStateException("certbot reported success but " + leaf + " is missing");
        }
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(leaf)));
            TreeSet<String> names = new TreeSet<>();
            for (List<?> san : cert.getSubjectAlternativeNames()) {
                names.add(String.valueOf(san.get(1)));
            }
            TreeSet<String> wanted = new TreeSet<>(List.of("*." + domain, domain));
            if (!names.equals(wanted)) {
                throw new IllegalStateException(leaf + " names " + names + ", not " + wanted);
            }
        } catch (CertificateException e) {
            throw new IllegalStateException(leaf + " is not a certificate: " + e.getMessage(), e);
        }
    }

    /** {@code certbot --version}. */
    String version() throws IOException, InterruptedException {
        Path out = outputs.resolve("version.out");
        run(List.of(executable.toString(), "--version"), out);
        return Files.readString(out).strip();
    }

    private static List<String> dirArgs(Dirs dirs) {
        return List.of("--config-dir", dirs.config().toString(), "--work-dir", dirs.work().toString(),
                "--logs-dir", dirs.logs().toString());
    }

    private void run(List<String> cmd, Path output) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("REQUESTS_CA_BUNDLE", caBundle.toString());
        Process p = builder.start();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException(String.join(" ", cmd.subList(0, 2)) + " did not finish in "
                    + TIMEOUT_SECONDS + " s; see " + output);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd.subList(0, 2)) + " exited " + p.exitValue() + ": "
                    + tail(output) + " (all: " + output + ")");
        }
    }

    private static String tail(Path output) throws IOException {
        List<String> lines = Files.readAllLines(output);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
    }
}
