package org.mailcert.agent.testing;

import java.util.List;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.Material;

/** Bindings with real certificate material, as targets and the Sync stream carry them. */
public final class TestBindings {
    private static final TestPki PKI = TestPki.rootCa("Test Public Root").intermediate("Test Issuing CA");

    private TestBindings() {
    }

    /** A leaf for the names, chained through an intermediate. */
    public static TestPki.Leaf leaf(String... names) {
        return PKI.leaf(names).issue();
    }

    /** A target binding serving {@code servedName} with the leaf. */
    public static Binding binding(String id, String servedName, TestPki.Leaf leaf) {
        Scope scope = id.equals("server") ? Scope.SERVER : id.startsWith("mail/") ? Scope.MAIL : Scope.WEBMAIL;
        String domain = id.contains("/") ? id.substring(id.indexOf('/') + 1) : "";
        return new Binding(id, scope, domain, servedName, "cert-" + servedName, 1,
                Fingerprints.sha256Hex(leaf.certificate()), leaf.chain(), leaf.key());
    }

    /** A wire binding serving {@code servedName} with the leaf. */
    public static DesiredBinding desired(String id, String servedName, TestPki.Leaf leaf) {
        org.mailcert.proto.v1.Scope scope = id.equals("server") ? org.mailcert.proto.v1.Scope.SCOPE_SERVER
                : id.startsWith("mail/") ? org.mailcert.proto.v1.Scope.SCOPE_MAIL
                : org.mailcert.proto.v1.Scope.SCOPE_WEBMAIL;
        return DesiredBinding.newBuilder()
                .setId(id)
                .setScope(scope)
                .setDomain(id.contains("/") ? id.substring(id.indexOf('/') + 1) : "")
                .setServedName(servedName)
                .setCertificate("cert-" + servedName)
                .setCertificateVersion(1)
                .setLeafSha256(Fingerprints.sha256Hex(leaf.certificate()))
                .build();
    }

    /** The leaf's chain and key as the controller sends them. */
    public static Material material(TestPki.Leaf leaf) {
        return Material.newBuilder()
                .setLeafSha256(Fingerprints.sha256Hex(leaf.certificate()))
                .setChainPem(leaf.chainPem())
                .setKeyPem(leaf.keyPem())
                .build();
    }

    /** The leaf's SHA-256. */
    public static String sha(TestPki.Leaf leaf) {
        return Fingerprints.sha256Hex(leaf.certificate());
    }

    /** A list of target bindings. */
    public static List<Binding> list(Binding... bindings) {
        return List.of(bindings);
    }
}
