package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mailcert.controller.store.Fixtures.T0;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.BindingConditions;
import org.mailcert.controller.model.Condition;
import org.mailcert.controller.model.DriftAction;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.DriftMode;
import org.mailcert.controller.model.DriftReport;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.RunOutcome;
import org.mailcert.controller.model.JoinToken;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.model.Scope;

/** Every record kind survives a write, a read and a reopen; listings come back sorted. */
class RocksStoreRecordsTest {
    @TempDir
    Path tmp;
    RocksStore store;

    @BeforeEach
    void open() throws ControllerException {
        store = Fixtures.open(tmp);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void reopen() throws ControllerException {
        store.close();
        store = Fixtures.open(tmp);
    }

    @Test
    void hostRoundTripsAndListsSortedByFqdn() throws Exception {
        Host full = Fixtures.host("mx2.example.com", 1);
        Host pending = Host.pending("mx1.example.com", "id-1", T0);
        store.write(tx -> {
            tx.putHost(full);
            tx.putHost(pending);
            tx.putHost(Fixtures.host("a.example.com", 1));
            tx.putHost(Fixtures.host("mx1.example.com.au", 1));
            return null;
        });
        reopen();

        assertEquals(Optional.of(full), store.host("mx2.example.com"));
        assertEquals(Optional.of(pending), store.host("mx1.example.com"));
        assertEquals(Optional.empty(), store.host("unknown.example.com"));
        assertEquals(List.of("a.example.com", "mx1.example.com", "mx1.example.com.au", "mx2.example.com"),
                store.hosts().stream().map(Host::fqdn).toList());

        store.write(tx -> {
            tx.deleteHost("mx1.example.com");
            return null;
        });
        assertEquals(Optional.empty(), store.host("mx1.example.com"));
        assertEquals(3, store.hosts().size());
    }

    @Test
    void hostStatusRoundTripsWithItsDriftReportWithoutMovingTheRevision() throws Exception {
        store.write(tx -> {
            tx.putHost(Fixtures.host("mx1.example.com", 1));
            return null;
        });
        long revision = store.revision();
        HostStatus plain = Fixtures.status("mx1.example.com");
        DriftReport report = new DriftReport(7, DriftMode.REPORT, RunOutcome.WOULD_CHANGE,
                Optional.of(T0.plusSeconds(30)), "file-change", 1_250,
                List.of(new BindingConditions("mail/example.com", List.of(
                        new Condition("Installed", "False", "FileMissing", "privkey.pem is missing",
                                Optional.of(T0.plusSeconds(20)), 7),
                        new Condition("Served", "Unknown", "", "", Optional.empty(), 0)), "ab12")),
                List.of(new Condition("Ready", "True", "Ready", "", Optional.of(T0), 7)),
                List.of(new DriftItem("FileMissing", "mail/example.com", "postfix", "privkey.pem is missing",
                        Optional.of(T0.plusSeconds(20)), DriftAction.WOULD_CHANGE),
                        new DriftItem("Expiring", "server", "", "ends in 9 days", Optional.empty(),
                                DriftAction.REPORTED)),
                4);
        HostStatus reported = plain.reported(T0.plusSeconds(90), report);
        store.write(tx -> {
            tx.putHostStatus(plain);
            tx.putHostStatus(Fixtures.status("mx2.example.com").reported(T0.plusSeconds(90), report));
            return null;
        });
        assertEquals(plain, store.hostStatus("mx1.example.com"));
        store.write(tx -> {
            tx.putHostStatus(reported);
            return null;
        });
        reopen();
        assertEquals(reported, store.hostStatus("mx1.example.com"));
        assertEquals(Optional.of(T0.plusSeconds(90)), store.hostStatus("mx1.example.com").reportReceived());
        assertEquals(revision, store.revision(), "reports are observed state");
        assertEquals(HostStatus.unknown("mx3.example.com"), store.hostStatus("mx3.example.com"));
    }

    @Test
    void aHostStatusIsReadFromTheCacheOnlyAsCommittedAndForgottenWithItsHost() throws Exception {
        store.write(tx -> {
            tx.putHost(Fixtures.host("mx1.example.com", 1));
            tx.putHostStatus(Fixtures.status("mx1.example.com"));
            return null;
        });
        HostStatus first = store.hostStatus("mx1.example.com");
        assertSame(first, store.hostStatus("mx1.example.com"), "decoded once");
        HostStatus next = first.reported(T0.plusSeconds(5), new DriftReport(1, DriftMode.ENFORCE,
                RunOutcome.IN_SYNC, Optional.of(T0), "timer", 10, List.of(), List.of(), List.of(), 0));
        assertThrows(IllegalStateException.class, () -> store.write(tx -> {
            tx.putHostStatus(next);
            throw new IllegalStateException("the write function fails: nothing commits");
        }));
        assertSame(first, store.hostStatus("mx1.example.com"), "an uncommitted status is not cached");
        store.write(tx -> {
            tx.putHostStatus(next);
            return null;
        });
        assertEquals(next, store.hostStatus("mx1.example.com"));
        store.write(tx -> {
            tx.deleteHost("mx1.example.com");
            return null;
        });
        assertEquals(HostStatus.unknown("mx1.example.com"), store.hostStatus("mx1.example.com"));
    }

    @Test
    void certificateVersionsRoundTripOldestFirstAndLatestPerName() throws Exception {
        CertificateVersion web1 = Fixtures.certificate("web", 1, Samples.ec(), 1);
        CertificateVersion web2 = Fixtures.certificate("web", 2, Samples.ec(), 1);
        CertificateVersion web10 = Fixtures.certificate("web", 10, Samples.ec(), 1);
        // Names that extend "web" must not show up in its prefix scan.
        CertificateVersion webMail = Fixtures.certificate("web-mail", 1, Samples.ec(), 1);
        CertificateVersion webx = Fixtures.certificate("webx", 3, Samples.ec(), 1);
        CertificateVersion alpha = Fixtures.certificate("alpha", 1, Samples.rsa(), 1);
        store.write(tx -> {
            for (CertificateVersion v : List.of(web10, webx, web2, alpha, web1, webMail)) {
                tx.putCertificateVersion(v, Samples.ec().getPrivate());
            }
            return null;
        });
        reopen();

        List<CertificateVersion> versions = store.certificateVersions("web");
        assertEquals(List.of(1, 2, 10), versions.stream().map(CertificateVersion::version).toList());
        assertSameVersion(web1, versions.get(0));
        assertSameVersion(web10, store.certificate("web").orElseThrow());
        assertSameVersion(web2, store.certificate("web", 2).orElseThrow());
        assertEquals(Optional.empty(), store.certificate("web", 3));
        assertEquals(Optional.empty(), store.certificate("we"));
        assertEquals(List.of(), store.certificateVersions("nope"));

        List<CertificateVersion> latest = store.latestCertificates();
        assertEquals(List.of("alpha", "web", "web-mail", "webx"),
                latest.stream().map(CertificateVersion::name).toList());
        assertEquals(List.of(1, 10, 1, 3), latest.stream().map(CertificateVersion::version).toList());
        assertSameVersion(webx, latest.get(3));
    }

    @Test
    void deletingACertificateRemovesEveryVersionAndKeyButNoOtherName() throws Exception {
        store.write(tx -> {
            tx.putCertificateVersion(Fixtures.certificate("web", 1, Samples.ec(), 1), Samples.ec().getPrivate());
            tx.putCertificateVersion(Fixtures.certificate("web", 2, Samples.ec(), 1), Samples.ec().getPrivate());
            tx.putCertificateVersion(Fixtures.certificate("web2", 1, Samples.ec(), 1), Samples.ec().getPrivate());
            return null;
        });
        store.write(tx -> {
            tx.deleteCertificate("web");
            return null;
        });
        reopen();

        assertEquals(List.of(), store.certificateVersions("web"));
        assertEquals(Optional.empty(), store.certificate("web"));
        ControllerException e = assertThrows(ControllerException.class, () -> store.privateKey("web", 1));
        assertEquals(ControllerException.Kind.NOT_FOUND, e.kind());
        assertEquals(1, store.certificateVersions("web2").size());
        store.privateKey("web2", 1);
    }

    @Test
    void aDeleteCoversVersionsPutEarlierInTheSameTransactionButNotLater() throws Exception {
        store.write(tx -> {
            tx.putCertificateVersion(Fixtures.certificate("gone", 1, Samples.ec(), 1), Samples.ec().getPrivate());
            tx.deleteCertificate("gone");
            tx.deleteCertificate("kept");
            tx.putCertificateVersion(Fixtures.certificate("kept", 1, Samples.ec(), 1), Samples.ec().getPrivate());
            return null;
        });
        assertEquals(List.of(), store.certificateVersions("gone"));
        assertEquals(1, store.certificateVersions("kept").size());
    }

    @Test
    void bindingsRoundTripSortedByHostScopeAndDomain() throws Exception {
        Binding webmail = Fixtures.binding("mx1.example.com", Scope.WEBMAIL, "a.example", "web", 1);
        Binding server = Fixtures.binding("mx1.example.com", Scope.SERVER, "", "srv", 1);
        Binding mailB = Fixtures.binding("mx1.example.com", Scope.MAIL, "b.example", "web", 1);
        Binding mailA = Fixtures.binding("mx1.example.com", Scope.MAIL, "a.example", "mail", 1);
        Binding otherHost = Fixtures.binding("mx1.example.com.au", Scope.SERVER, "", "web", 1);
        Binding firstHost = Fixtures.binding("a.example.com", Scope.MAIL, "z.example", "z", 1);
        store.write(tx -> {
            for (Binding b : List.of(webmail, server, mailB, mailA, otherHost, firstHost)) {
                tx.putBinding(b);
            }
            return null;
        });
        reopen();

        assertEquals(List.of(firstHost, server, mailA, mailB, webmail, otherHost), store.bindings());
        assertEquals(List.of(server, mailA, mailB, webmail), store.bindingsOfHost("mx1.example.com"));
        assertEquals(List.of(mailB, webmail, otherHost), store.bindingsOfCertificate("web"));
        assertEquals(Optional.of(mailA), store.binding(mailA.key()));
        assertEquals(Optional.empty(), store.binding(new BindingKey("mx1.example.com", Scope.WEBMAIL, "b.example")));

        store.write(tx -> {
            tx.deleteBinding(mailA.key());
            return null;
        });
        assertEquals(List.of(server, mailB, webmail), store.bindingsOfHost("mx1.example.com"));
    }

    @Test
    void joinTokensRoundTripUsedOrNot() throws Exception {
        JoinToken fresh = Fixtures.joinToken("tok-1", "mx1.example.com", Optional.empty());
        JoinToken used = Fixtures.joinToken("tok-2", "mx2.example.com", Optional.of(T0.plusSeconds(5)));
        store.write(tx -> {
            tx.putJoinToken(fresh);
            tx.putJoinToken(used);
            return null;
        });
        reopen();

        assertSameToken(fresh, store.joinToken("tok-1").orElseThrow());
        assertSameToken(used, store.joinToken("tok-2").orElseThrow());
        assertEquals(Optional.empty(), store.joinToken("tok-3"));
    }

    @Test
    void adminTokensRoundTripSortedAndFoundByHash() throws Exception {
        store.write(tx -> {
            tx.putAdminToken(Fixtures.adminToken("zoe", Role.VIEWER));
            tx.putAdminToken(Fixtures.adminToken("root", Role.ADMIN));
            tx.putAdminToken(Fixtures.adminToken("ops", Role.OPERATOR));
            return null;
        });
        reopen();

        List<AdminToken> all = store.adminTokens();
        assertEquals(List.of("ops", "root", "zoe"), all.stream().map(AdminToken::name).toList());
        AdminToken root = store.adminToken("root").orElseThrow();
        assertEquals(Role.ADMIN, root.role());
        assertEquals(T0, root.created());
        assertArrayEquals(Fixtures.sha("root"), root.secretSha256());
        assertEquals("ops", store.adminTokenByHash(Fixtures.sha("ops")).orElseThrow().name());
        assertEquals(Optional.empty(), store.adminTokenByHash(Fixtures.sha("nobody")));

        store.write(tx -> {
            tx.deleteAdminToken("ops");
            return null;
        });
        assertEquals(Optional.empty(), store.adminTokenByHash(Fixtures.sha("ops")));
        assertEquals(2, store.adminTokens().size());
    }

    @Test
    void namesWithControlCharactersAreRefusedOnWriteAndNotFoundOnRead() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.write(tx -> {
            tx.putHost(Fixtures.host("ok.example.com", 1));
            tx.putHost(Fixtures.host("bad\u0000.example.com", 1));
            return null;
        }));
        assertTrue(e.getMessage().contains("control character"), e.getMessage());
        assertEquals(List.of(), store.hosts());
        assertEquals(0, store.revision());

        store.write(tx -> {
            tx.putCertificateVersion(Fixtures.certificate("web", 1, Samples.ec(), 1), Samples.ec().getPrivate());
            return null;
        });
        // "web\0" would otherwise be a prefix of web's version keys.
        assertEquals(Optional.empty(), store.certificate("web\u0000"));
        assertEquals(List.of(), store.certificateVersions("web\u0000"));
        assertEquals(Optional.empty(), store.host("web\u0000"));
    }

    private static void assertSameVersion(CertificateVersion expected, CertificateVersion actual) {
        // X509Certificate equality is by encoding, so the record's equals compares the chains' DER.
        assertEquals(expected, actual);
    }

    private static void assertSameToken(JoinToken expected, JoinToken actual) {
        assertEquals(expected.id(), actual.id());
        assertArrayEquals(expected.secretSha256(), actual.secretSha256());
        assertEquals(expected.host(), actual.host());
        assertEquals(expected.created(), actual.created());
        assertEquals(expected.expires(), actual.expires());
        assertEquals(expected.used(), actual.used());
        assertEquals(expected.createdBy(), actual.createdBy());
    }
}
