package org.mailcert.controller.acme;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Pem;
import org.mailcert.controller.acme.AcmeException.Kind;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;

/**
 * Opens acme4j sessions to a CA's directory. The directory's TLS certificate is verified as usual
 * (chain and host name) against the JDK's trusted roots plus, when the settings carry one, the
 * PEM roots of a private CA (Pebble, step-ca): both go into one trust store of an {@link
 * SSLContext} that a {@link GenericAcmeProvider} hands to the HTTP client acme4j uses.
 */
final class AcmeSessions {
    private final Duration httpTimeout;

    AcmeSessions(Duration httpTimeout) {
        this.httpTimeout = httpTimeout;
    }

    /** A session for the settings' directory; nothing is fetched yet. */
    Session open(AcmeCa.Settings settings) throws AcmeException {
        URI directory = settings.directory();
        if (directory == null || !("https".equals(directory.getScheme()) || "http".equals(directory.getScheme()))) {
            throw new AcmeException(Kind.CONFIGURATION,
                    "the ACME directory must be an https:// URL (http:// only for tests), not '"
                            + directory + "'");
        }
        Session session = settings.directoryCaPem() == null || settings.directoryCaPem().isBlank()
                ? new Session(directory)
                : new Session(directory, new TrustingProvider(sslContext(settings.directoryCaPem(), directory)));
        session.networkSettings().setTimeout(httpTimeout);
        return session;
    }

    /** An SSL context trusting the JDK's default roots and the PEM's certificates. */
    static SSLContext sslContext(String pem, URI directory) throws AcmeException {
        List<X509Certificate> extra;
        try {
            extra = Pem.readCertificates(pem.getBytes(StandardCharsets.US_ASCII));
        } catch (BadMaterialException e) {
            throw new AcmeException(Kind.CONFIGURATION, "the directory CA certificate for " + directory
                    + " is not valid PEM: " + e.getMessage());
        }
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (X509Certificate root : jdkRoots()) {
                trust.setCertificateEntry("jdk-" + i++, root);
            }
            for (X509Certificate root : extra) {
                trust.setCertificateEntry("directory-" + i++, root);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new AcmeException(Kind.CONFIGURATION, "cannot build the TLS trust for " + directory + ": "
                    + e.getMessage(), Optional.empty(), e);
        }
    }

    private static List<X509Certificate> jdkRoots() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (var manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return List.of(x509.getAcceptedIssuers());
            }
        }
        return List.of();
    }

    /** acme4j's generic provider with an HTTP client that uses our SSL context. */
    private static final class TrustingProvider extends GenericAcmeProvider {
        private final SSLContext sslContext;

        TrustingProvider(SSLContext sslContext) {
            this.sslContext = sslContext;
        }

        @Override
        public HttpClient createHttpClient(NetworkSettings networkSettings) {
            return HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .connectTimeout(networkSettings.getTimeout())
                    .proxy(networkSettings.getProxySelector())
                    .sslContext(sslContext)
                    .build();
        }
    }
}
