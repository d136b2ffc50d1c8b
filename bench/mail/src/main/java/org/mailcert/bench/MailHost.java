package org.mailcert.bench;

import com.google.protobuf.ByteString;
import java.util.Locale;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.Scope;

/**
 * The benchmark's one mail host and its names: {@code mx1.bench.example.net} serves the
 * certificate {@code server} server-wide and, for each domain {@code d0042.example.com}, a MAIL
 * binding to the domain's own certificate {@code d0042} whose leaf is {@code mail.d0042.example.com}.
 * Certificates are EC P-256 leaves from an intermediate under a test root (chain = leaf +
 * intermediate), the root given to the controller with {@code --extra-roots}.
 */
final class MailHost {
    static final String HOST = "mx1.bench.example.net";
    static final String SERVER_CERT = "server";

    final TestPki pki = TestPki.rootCa("mailcert mail bench root").intermediate("mailcert mail bench intermediate");
    final int domains;

    MailHost(int domains) {
        this.domains = domains;
    }

    static String domain(int i) {
        return String.format(Locale.ROOT, "d%04d.example.com", i);
    }

    static String certName(int i) {
        return String.format(Locale.ROOT, "d%04d", i);
    }

    /** The name a mail client asks for: {@code mail.} of the domain. */
    static String mailName(int i) {
        return "mail." + domain(i);
    }

    /** A new leaf for domain i (a first import or a renewal). */
    Issued domainCertificate(int i, boolean newVersion) {
        return issued(certName(i), pki.leaf(mailName(i)).issue(), newVersion);
    }

    Issued serverCertificate() {
        return issued(SERVER_CERT, pki.leaf(HOST).issue(), false);
    }

    static BindRequest serverBinding() {
        return BindRequest.newBuilder().setHost(HOST).setScope(Scope.SCOPE_SERVER).setCertificate(SERVER_CERT).build();
    }

    static BindRequest mailBinding(int i) {
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
