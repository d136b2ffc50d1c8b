package org.mailcert.controller.daemon;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Plain-HTTP {@code /healthz} and {@code /metrics} (Prometheus text format) on a separate, by
 * default loopback-only, address.
 */
final class MetricsServer implements AutoCloseable {
    private final HttpServer server;

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Binds and starts serving; {@code metrics} renders the exposition text on each scrape. */
    static MetricsServer start(InetSocketAddress address, Supplier<Boolean> healthy, Supplier<String> metrics)
            throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        server.createContext("/healthz", ex -> {
            boolean ok = healthy.get();
            respond(ex, ok ? 200 : 503, ok ? "ok\n" : "unhealthy\n", "text/plain; charset=utf-8");
        });
        server.createContext("/metrics", ex -> respond(ex, 200, metrics.get(), "text/plain; version=0.0.4; charset=utf-8"));
        server.setExecutor(null);
        server.start();
        return new MetricsServer(server);
    }

    /** The bound address (useful with port 0). */
    InetSocketAddress address() {
        return server.getAddress();
    }

    private static void respond(HttpExchange ex, int code, String body, String type) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
