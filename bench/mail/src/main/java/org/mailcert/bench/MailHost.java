package org.mailcert.bench;

import com.google.protobuf.ByteString;
import java.util.Locale;
import java.util.stream.IntStream;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.Scope;

/**
 * The benchmark's one mail host and its names: {@code mx1.bench.example.net} serves the
 * certificate {@code server} server-wide and, for each domain {@code d0042.example.com}, a MAIL
 * binding to the domain's own certificate {@code d0042} whose leaf is {@code mail.d0042.example.com}.
 * With bundles of K domains, domain i is bound instead to the certificate {@code b<i/K>} whose leaf
 * names {@code mail.} of each of its K domains (a SAN bundle, as a host with many domains can use).
 * Certificates are EC P-256 leaves from an intermediate under a test root (chain = leaf +
 * intermediate), the root given to the controller with {@code --extra-roots}.
 */
final class MailHost {
    static final String HOST = "mx1.bench.example.net";
    static final String SERVER_CERT = "server";

    final TestPki pki = TestPki.rootCa("mailcert mail bench root").intermediate("mailcert mail bench intermediate");
    final int domains;
    /** Domains per certificate: 1 for a certificate of its own each. */
    final int bundle;

    MailHost(int domains, int bundle) {
        if (bundle < 1 || bundle > 100) {
            throw new IllegalArgumentException("domains per certificate must be 1 to 100, not " + bundle);
        }
        this.domains = domains;
        this.bundle = bundle;
    }

    static String domain(int i) {
        return String.format(Locale.ROOT, "d%04d.example.com", i);
    }

    String certName(int i) {
        return bundle == 1 ? String.format(Locale.ROOT, "d%04d", i) : String.format(Locale.ROOT, "b%04d", i / bundle);
    }

    /** The domains that share domain i's certificate (only i itself without bundles). */
    IntStream sharing(int i) {
        int first = i / bundle * bundle;
        return IntStream.range(first, Math.min(first + bundle, domains));
    }

    /** The name a mail client asks for: {@code mail.} of the domain. */
    static String mailName(int i) {
        return "mail." + domain(i);
    }

    /** A new leaf for domain i's certificate (a first import or a renewal), naming every domain sharing it. */
    Issued domainCertificate(int i, boolean newVersion) {
        return issued(certName(i), pki.leaf(sharing(i).mapToObj(MailHost::mailName).toArray(String[]::new)).issue(),
                newVersion);
    }

    Issued serverCertificate() {
        return issued(SERVER_CERT, pki.leaf(HOST).issue(), false);
    }

    static BindRequest serverBinding() {
        return BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_SERVER).setCertificate(SERVER_CERT).build();
    }

    BindRequest mailBinding(int i) {
        return BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_MAIL).setDomain(domain(i))
                .setCertificate(certName(i)).build();
    }

    private static Issued issued(String name, TestPki.Leaf leaf, boolean newVersion) {
        return new Issued(ImportCertificateRequest.newBuilder().setName(name)
                .setChainPem(ByteString.copyFromUtf8(leaf.combinedPem())).setNewVersion(newVersion).build(),
                Fingerprints.sha256Hex(leaf.certificate()));
    }

    /** An import request and the SHA-256 of its leaf, which the servers must then serve. */
    record Issued(ImportCertificateRequest request, String leafSha256) {
    }
}
