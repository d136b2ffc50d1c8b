package org.mailcert.agent.probe;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.mailcert.common.pki.Fingerprints;

/**
 * Probes over plain sockets: the STARTTLS dialogue where the protocol needs one, then a TLS
 * handshake that accepts whatever certificate is served (the probe reports it; deciding whether it
 * is the right one is the caller's job). Every step is bounded by the connect and read timeouts,
 * so a hung server never hangs the agent. Thread-safe.
 */
public final class SocketTlsProbe implements TlsProbe {
    private static final int MAX_LINE = 4096;
    private static final int MAX_LINES = 100;

    private final Duration connectTimeout;
    private final Duration readTimeout;

    /** A probe with 3 s to connect and 5 s for each read. */
    public SocketTlsProbe() {
        this(Duration.ofSeconds(3), Duration.ofSeconds(5));
    }

    /** A probe with the given timeouts. */
    public SocketTlsProbe(Duration connectTimeout, Duration readTimeout) {
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        newContext();
    }

    /**
     * A new context for each probe: a shared one would resume a cached session (keyed by address and
     * port, not SNI), and a resumed session reports the certificate of the first handshake, not the
     * one the server serves now for this name.
     */
    private static SSLContext newContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AcceptAll()}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }

    @Override
    public ProbeResult probe(Endpoint endpoint, Optional<String> sniName) throws ProbeException {
        String what = endpoint + sniName.map(n -> " (SNI " + n + ")").orElse(" (no SNI)");
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(endpoint.address(), endpoint.port()), (int) connectTimeout.toMillis());
            plain.setSoTimeout((int) readTimeout.toMillis());
            startTls(endpoint.protocol(), plain.getInputStream(), plain.getOutputStream());
            try (SSLSocket tls = (SSLSocket) newContext().getSocketFactory().createSocket(plain, endpoint.address(),
                    endpoint.port(), true)) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setServerNames(sniName.map(n -> List.<javax.net.ssl.SNIServerName>of(new SNIHostName(n)))
                        .orElse(List.of()));
                tls.setSSLParameters(parameters);
                tls.startHandshake();
                Certificate[] chain = tls.getSession().getPeerCertificates();
                if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
                    throw new ProbeException(what + ": the server presented no X.509 certificate", null);
                }
                return new ProbeResult(leaf, Fingerprints.sha256Hex(leaf));
            }
        } catch (SocketTimeoutException e) {
            throw new ProbeException(what + ": timed out", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ProbeException(what + ": " + e.getMessage(), e);
        }
    }

    /** Runs the plain-text part of the protocol up to the point where TLS starts. */
    private static void startTls(Protocol protocol, InputStream in, OutputStream out) throws IOException,
            ProbeException {
        switch (protocol) {
            case IMPLICIT -> {
                // TLS from the first byte
            }
            case SMTP_STARTTLS -> {
                expectSmtp(in, "220");
                send(out, "EHLO mailcert-probe");
                expectSmtp(in, "250");
                send(out, "STARTTLS");
                expectSmtp(in, "220");
            }
            case IMAP_STARTTLS -> {
                expect(in, "* OK", "IMAP greeting");
                send(out, "a STARTTLS");
                for (int i = 0; i < MAX_LINES; i++) {
                    String line = readLine(in);
                    if (line.startsWith("a ")) {
                        if (!line.startsWith("a OK")) {
                            throw new ProbeException("IMAP STARTTLS refused: " + line, null);
                        }
                        return;
                    }
                }
                throw new ProbeException("IMAP STARTTLS: no tagged answer", null);
            }
            case POP3_STARTTLS -> {
                expect(in, "+OK", "POP3 greeting");
                send(out, "STLS");
                expect(in, "+OK", "POP3 STLS");
            }
        }
    }

    /** Reads an SMTP reply (possibly multi-line) and checks its code. */
    private static void expectSmtp(InputStream in, String code) throws IOException, ProbeException {
        for (int i = 0; i < MAX_LINES; i++) {
            String line = readLine(in);
            if (!line.startsWith(code)) {
                throw new ProbeException("SMTP: expected " + code + ", got: " + line, null);
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return;
            }
        }
        throw new ProbeException("SMTP: reply longer than " + MAX_LINES + " lines", null);
    }

    private static void expect(InputStream in, String prefix, String what) throws IOException, ProbeException {
        String line = readLine(in);
        if (!line.startsWith(prefix)) {
            throw new ProbeException(what + ": expected " + prefix + ", got: " + line, null);
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /**
     * Reads one line byte by byte (nothing is buffered past it, so the TLS handshake that may follow
     * starts on the right byte).
     */
    private static String readLine(InputStream in) throws IOException, ProbeException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (line.size() < MAX_LINE) {
            int b = in.read();
            if (b < 0) {
                throw new ProbeException("connection closed by the server"
                        + (line.size() > 0 ? " after: " + line.toString(StandardCharsets.US_ASCII) : ""), null);
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.US_ASCII);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
        throw new ProbeException("line longer than " + MAX_LINE + " bytes", null);
    }

    /** Accepts any chain: the probe only reports what is served. */
    private static final class AcceptAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            // the probe is a client only
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // the caller compares the leaf with the desired one
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
