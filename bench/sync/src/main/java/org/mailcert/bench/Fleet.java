package org.mailcert.bench;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.SniSupport;

/**
 * The simulated fleet's names and certificates. Host i is {@code mx0042.fleet.example.net}; it
 * serves the shared wildcard {@code *.fleet.example.net} server-wide (the certificate every host
 * uses, renewed in the fan-out phase) and, for each of its customer domains
 * {@code c0042a.example.com}, {@code c0042b.example.com}, ..., a MAIL and a WEBMAIL binding to
 * the domain's own certificate for {@code mail.} and {@code webmail.} of it. Certificates are
 * EC P-256 leaves issued by an intermediate under a test root (chain = leaf + intermediate).
 */
final class Fleet {
    static final String ZONE = "fleet.example.net";
    static final String WILDCARD = "fleet-wildcard";

    final TestPki pki = TestPki.rootCa("mailcert bench root").intermediate("mailcert bench intermediate");
    final int hosts;
    final int domainsPerHost;

    Fleet(int hosts, int domainsPerHost) {
        this.hosts = hosts;
        this.domainsPerHost = domainsPerHost;
    }

    static String host(int i) {
        return String.format(Locale.ROOT, "mx%04d.%s", i, ZONE);
    }

    static String domain(int i, int d) {
        return String.format(Locale.ROOT, "c%04d%c.example.com", i, (char) ('a' + d));
    }

    static String domainCert(int i, int d) {
        return String.format(Locale.ROOT, "c%04d%c", i, (char) ('a' + d));
    }

    /** The certificate the latency phase rebinds host i's first webmail domain to. */
    static String alternateCert(int i) {
        return "alt-" + domainCert(i, 0);
    }

    ImportCertificateRequest wildcard(boolean newVersion) {
        return importOf(WILDCARD, pki.leaf("*." + ZONE, ZONE).issue(), newVersion);
    }

    ImportCertificateRequest domainCertificate(int i, int d) {
        return importOf(domainCert(i, d), pki.leaf("mail." + domain(i, d), "webmail." + domain(i, d)).issue(), false);
    }

    ImportCertificateRequest alternate(int i) {
        return importOf(alternateCert(i), pki.leaf("mail." + domain(i, 0), "webmail." + domain(i, 0)).issue(), false);
    }

    /** Host i's desired state: SERVER to the wildcard, MAIL and WEBMAIL per domain. */
    List<BindRequest> bindings(int i) {
        List<BindRequest> out = new ArrayList<>();
        out.add(BindRequest.newBuilder().setHost(host(i)).setScope(Scope.SCOPE_SERVER).setCertificate(WILDCARD).build());
        for (int d = 0; d < domainsPerHost; d++) {
            for (Scope s : List.of(Scope.SCOPE_MAIL, Scope.SCOPE_WEBMAIL)) {
                out.add(BindRequest.newBuilder().setHost(host(i)).setScope(s).setDomain(domain(i, d))
                        .setCertificate(domainCert(i, d)).build());
            }
        }
        return out;
    }

    /** What every simulated agent reports: a Debian host with Postfix, Dovecot and nginx. */
    static HostFacts facts() {
        return HostFacts.newBuilder().setOs("debian 12").setAgentVersion("bench-sim")
                .putSoftware("postfix", "3.7.11").putSoftware("dovecot", "2.3.19").putSoftware("nginx", "1.22.1")
                .setSni(SniSupport.SNI_SUPPORT_YES).build();
    }

    private static ImportCertificateRequest importOf(String name, TestPki.Leaf leaf, boolean newVersion) {
        return ImportCertificateRequest.newBuilder().setName(name)
                .setChainPem(ByteString.copyFromUtf8(leaf.combinedPem())).setNewVersion(newVersion).build();
    }
}
