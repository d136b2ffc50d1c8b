package org.mailcert.agent.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's nginx on loopback for integration tests: its own {@code nginx.conf} in a temporary
 * directory (pid, logs and temp paths there, {@code conf.d/*.conf} included in the http block), run
 * in the foreground; {@link #close()} stops it. The port given to blocks is free when it starts.
 */
public final class NginxInstance implements AutoCloseable {
    public static final Path NGINX = Path.of("/usr/sbin/nginx");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Path dir;
    private final int port;
    private final Process process;

    private NginxInstance(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Writes the configuration under {@code dir} and starts nginx (no server block yet). */
    public static NginxInstance start(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(NGINX)) {
            throw new IllegalStateException(NGINX + " is missing: install nginx (scripts/install-deps.sh)");
        }
        Path conf = dir.resolve("conf");
        Files.createDirectories(conf.resolve("conf.d"));
        Path tmp = dir.resolve("tmp");
        Files.createDirectories(tmp);
        boolean root = "root".equals(System.getProperty("user.name"));
        String d = dir.toAbsolutePath().toString();
        Files.writeString(conf.resolve("nginx.conf"), (root ? "user root;\n" : "") + """
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log info;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                    include %1$s/conf/conf.d/*.conf;
                }
                """.formatted(d));
        int port = freePort();
        Process process = new ProcessBuilder(NGINX.toString(), "-c", conf.resolve("nginx.conf").toString(), "-e",
                dir.resolve("error.log").toString(), "-g", "daemon off;").redirectErrorStream(true)
                .redirectOutput(dir.resolve("nginx.out").toFile()).start();
        NginxInstance nginx = new NginxInstance(dir, port, process);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.exists(dir.resolve("nginx.pid"))) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                nginx.close();
                throw new IllegalStateException("nginx did not start:\n" + nginx.log());
            }
            Thread.sleep(50);
        }
        return nginx;
    }

    /** nginx's main configuration. */
    public Path configFile() {
        return dir.resolve("conf").resolve("nginx.conf");
    }

    /** The directory whose *.conf files the http block includes. */
    public Path confD() {
        return dir.resolve("conf").resolve("conf.d");
    }

    /** A loopback port free at start, for the blocks' {@code listen}. */
    public int port() {
        return port;
    }

    /** nginx's error log and output so far. */
    public String log() {
        StringBuilder out = new StringBuilder();
        for (String name : List.of("error.log", "nginx.out")) {
            try {
                Path f = dir.resolve(name);
                if (Files.exists(f)) {
                    out.append(name).append(":\n").append(Files.readString(f));
                }
            } catch (IOException e) {
                out.append(e);
            }
        }
        return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** A loopback port free now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
