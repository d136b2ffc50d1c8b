package org.mailcert.controller.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@code /healthz} for liveness probes and {@code /metrics} for Prometheus, over plain HTTP. */
class MetricsServerTest {
    private static HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthzSaysOkWhileHealthyAndMetricsServesTheText() throws Exception {
        AtomicBoolean healthy = new AtomicBoolean(true);
        try (MetricsServer server = MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), healthy::get,
                () -> "# HELP x An x.\n# TYPE x gauge\nx 1\n")) {
            HttpResponse<String> ok = get(server, "/healthz");
            assertEquals(200, ok.statusCode());
            assertEquals("ok", ok.body().strip());
            healthy.set(false);
            assertEquals(503, get(server, "/healthz").statusCode());
            HttpResponse<String> metrics = get(server, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
            assertEquals("# HELP x An x.\n# TYPE x gauge\nx 1\n", metrics.body());
        }
    }
}
