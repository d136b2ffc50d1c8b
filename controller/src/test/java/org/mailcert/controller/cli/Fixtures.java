package org.mailcert.controller.cli;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.List;
import org.mailcert.proto.v1.AdminToken;
import org.mailcert.proto.v1.Binding;
import org.mailcert.proto.v1.BindingConditions;
import org.mailcert.proto.v1.Condition;
import org.mailcert.proto.v1.DriftAction;
import org.mailcert.proto.v1.DriftItem;
import org.mailcert.proto.v1.DriftMode;
import org.mailcert.proto.v1.ExpiringCertificate;
import org.mailcert.proto.v1.RunOutcome;
import org.mailcert.proto.v1.CertificateSource;
import org.mailcert.proto.v1.CertificateVersion;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.Host;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.HostState;
import org.mailcert.proto.v1.Role;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.ServiceEndpoint;
import org.mailcert.proto.v1.ServiceFacts;
import org.mailcert.proto.v1.SniSupport;

/** Canned API messages with fixed times, so rendered output is stable. */
final class Fixtures {
    private Fixtures() {
    }

    static Timestamp at(String instant) {
        return Timestamp.newBuilder().setSeconds(Instant.parse(instant).getEpochSecond()).build();
    }

    static Host mx1() {
        return Host.newBuilder()
                .setFqdn("mx1.example.net")
                .setId("h-7f3a")
                .setState(HostState.HOST_STATE_ENROLLED)
                .setCreated(at("2026-11-01T09:00:00Z"))
                .setLastSeen(at("2026-11-29T15:26:58.750Z"))
                .putLabels("site", "fra1")
                .putLabels("env", "prod")
                .setFacts(HostFacts.newBuilder()
                        .setOs("Debian GNU/Linux 12")
                        .setAgentVersion("0.1.0")
                        .putSoftware("postfix", "3.7.11")
                        .putSoftware("dovecot", "2.3.19")
                        .setSni(SniSupport.SNI_SUPPORT_YES)
                        .addServices(service("postfix", "3.7.11", true, "smtp", 25, "submission", 587, "smtps", 465)
                                .addProblems("tls_server_sni_maps is set to hash:/etc/postfix/sni by the admin;"
                                        + " mailcert leaves it alone"))
                        .addServices(service("dovecot", "2.3.19", true, "imap", 143, "imaps", 993, "pop3s", 995))
                        .addDomains("example.com")
                        .addDomains("example.org"))
                .addDiscoveredDomains("example.com")
                .addDiscoveredDomains("example.org")
                .setDesiredVersion(42)
                .setAppliedVersion(41)
                .setConnected(true)
                .addUncoveredDomains("example.org")
                .setSyncState("drifting")
                .setMode(DriftMode.DRIFT_MODE_REPORT)
                .setLastOutcome(RunOutcome.RUN_OUTCOME_WOULD_CHANGE)
                .setLastReport(at("2026-11-29T15:26:58Z"))
                .addConditions(condition("Ready", "False", "DomainUncovered", "mail.example.org is not covered",
                        "2026-11-29T15:00:00Z"))
                .setDriftItems(2)
                .build();
    }

    static Condition condition(String type, String status, String reason, String message, String since) {
        return Condition.newBuilder().setType(type).setStatus(status).setReason(reason).setMessage(message)
                .setLastTransitionTime(at(since)).setObservedVersion(41).build();
    }

    /** What mx1's agent last reported about its bindings: mail served, webmail's key file gone. */
    static List<BindingConditions> bindingConditions() {
        return List.of(
                BindingConditions.newBuilder().setId("mail/example.com")
                        .setLeafSha256("5f1c0d9e2a7b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff")
                        .addConditions(condition("Installed", "True", "Installed", "", "2026-11-28T12:00:05Z"))
                        .addConditions(condition("Served", "True", "Served", "postfix, dovecot serve it on 6 ports",
                                "2026-11-28T12:00:05Z"))
                        .build(),
                BindingConditions.newBuilder().setId("webmail/example.org")
                        .addConditions(condition("Installed", "False", "FileMissing",
                                "/etc/nginx/mailcert/webmail.example.org/privkey.pem is missing", "2026-11-29T15:10:00Z"))
                        .build());
    }

    static DriftItem driftItem(String subject, String reason, String target, DriftAction action, String since,
            String message) {
        return DriftItem.newBuilder().setSubject(subject).setReason(reason).setTarget(target).setAction(action)
                .setSince(at(since)).setMessage(message).build();
    }

    /** mx1's last report: one item report mode left alone, an uncovered domain, and a repair. */
    static List<DriftItem> driftItems() {
        return List.of(
                driftItem("host", "DomainUncovered", "", DriftAction.DRIFT_ACTION_REPORTED, "2026-11-29T15:00:00Z",
                        "mail.example.org is served by mx1.example.net's self-signed certificate"),
                driftItem("mail/example.com", "FileChanged", "postfix", DriftAction.DRIFT_ACTION_REPAIRED,
                        "2026-11-29T15:25:00Z", "/etc/postfix/mailcert/mail.example.com/fullchain.pem changed"),
                driftItem("webmail/example.org", "FileMissing", "nginx", DriftAction.DRIFT_ACTION_WOULD_CHANGE,
                        "2026-11-29T15:10:00Z", "/etc/nginx/mailcert/webmail.example.org/privkey.pem is missing"));
    }

    static ExpiringCertificate expiring(String name, int version, String notAfter, long daysLeft, String... hosts) {
        return ExpiringCertificate.newBuilder().setName(name).setVersion(version)
                .setSha256("aa00bb11cc22dd33ee44ff5566778899aabbccddeeff00112233445566778899")
                .setNotAfter(at(notAfter)).setDaysLeft(daysLeft).addAllHosts(List.of(hosts)).build();
    }

    /** A qmail host that can serve only its server-wide certificate, one of whose inspections failed. */
    static Host qmail() {
        return Host.newBuilder()
                .setFqdn("mx3.example.net")
                .setId("h-2b44")
                .setState(HostState.HOST_STATE_ENROLLED)
                .setCreated(at("2026-11-02T09:00:00Z"))
                .setLastSeen(at("2026-11-29T15:20:00Z"))
                .setFacts(HostFacts.newBuilder()
                        .setOs("Debian GNU/Linux 12")
                        .setAgentVersion("0.1.0")
                        .putSoftware("qmail", "1.03")
                        .setSni(SniSupport.SNI_SUPPORT_NO)
                        .addServices(service("qmail", "1.03", false, "smtp", 25, "smtps", 465))
                        .addDomains("example.biz")
                        .addProblems("courier: inspection failed: java.lang.IllegalStateException: imapd-ssl unreadable"))
                .addDiscoveredDomains("example.biz")
                .addUncoveredDomains("example.biz")
                .setDesiredVersion(7)
                .setAppliedVersion(7)
                .setConnected(true)
                .setSyncState("in_sync")
                .build();
    }

    /** One inspected service with its (service, port) pairs. */
    private static ServiceFacts.Builder service(String software, String version, boolean sni, Object... endpoints) {
        ServiceFacts.Builder b = ServiceFacts.newBuilder().setSoftware(software).setVersion(version)
                .setPerDomainSni(sni);
        for (int i = 0; i < endpoints.length; i += 2) {
            b.addEndpoints(ServiceEndpoint.newBuilder().setService((String) endpoints[i])
                    .setPort((Integer) endpoints[i + 1]));
        }
        return b;
    }

    static Host pending() {
        return Host.newBuilder()
                .setFqdn("mx2.example.net")
                .setId("h-91c0")
                .setState(HostState.HOST_STATE_PENDING_ENROLLMENT)
                .setCreated(at("2026-11-29T15:00:00Z"))
                .setSyncState("pending")
                .build();
    }

    static CertificateVersion wildcard(int version) {
        return CertificateVersion.newBuilder()
                .setName("wildcard-example-com")
                .setVersion(version)
                .setSubject("CN=*.example.com")
                .setIssuer("CN=R11,O=Let's Encrypt,C=US")
                .addDnsNames("*.example.com")
                .addDnsNames("example.com")
                .setNotBefore(at("2026-10-0" + version + "T00:00:00Z"))
                .setNotAfter(at("2026-12-3" + (version - 1) + "T23:59:59Z"))
                .setKeyType("EC")
                .setKeyBits(256)
                .setSha256("5f1c0d9e" + version + "a7b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff")
                .setSelfSigned(false)
                .setTrusted(true)
                .setSource(CertificateSource.CERTIFICATE_SOURCE_IMPORTED_PEM)
                .setRevision(30 + version)
                .setCreated(at("2026-11-2" + version + "T10:00:00Z"))
                .setChainPem("-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n")
                .setSerial("03:a1:7f")
                .build();
    }

    static CertificateVersion selfSigned() {
        return CertificateVersion.newBuilder()
                .setName("mx1-self")
                .setVersion(1)
                .setSubject("CN=mx1.example.net")
                .setIssuer("CN=mx1.example.net")
                .addDnsNames("mx1.example.net")
                .setNotBefore(at("2026-01-01T00:00:00Z"))
                .setNotAfter(at("2027-01-01T00:00:00Z"))
                .setKeyType("RSA")
                .setKeyBits(2048)
                .setSha256("aa00bb11cc22dd33ee44ff5566778899aabbccddeeff00112233445566778899")
                .setSelfSigned(true)
                .setTrustProblem("self-signed certificate")
                .setSource(CertificateSource.CERTIFICATE_SOURCE_IMPORTED_PKCS12)
                .setRevision(12)
                .setCreated(at("2026-11-02T08:00:00Z"))
                .setSerial("01")
                .build();
    }

    static Binding mailBinding() {
        return Binding.newBuilder()
                .setHost("mx1.example.net")
                .setScope(Scope.SCOPE_MAIL)
                .setDomain("example.com")
                .setCertificate("wildcard-example-com")
                .setServedName("mail.example.com")
                .setRevision(41)
                .setCreated(at("2026-11-28T12:00:00Z"))
                .setState("served")
                .build();
    }

    static Binding serverBinding() {
        return Binding.newBuilder()
                .setHost("mx1.example.net")
                .setScope(Scope.SCOPE_SERVER)
                .setCertificate("mx1-self")
                .setServedName("mx1.example.net")
                .addWarnings("certificate mx1-self is self-signed; clients will warn")
                .setRevision(42)
                .setCreated(at("2026-11-29T15:20:00Z"))
                .setState("pending")
                .build();
    }

    static Binding webmailBinding() {
        return Binding.newBuilder()
                .setHost("mx1.example.net")
                .setScope(Scope.SCOPE_WEBMAIL)
                .setDomain("example.org")
                .setCertificate("wildcard-example-org")
                .setServedName("webmail.example.org")
                .addWarnings("server-wide certificate of mx1.example.net is self-signed; the per-domain certificate will not help")
                .addWarnings("certificate expires in 12 days")
                .setRevision(40)
                .setCreated(at("2026-11-27T12:00:00Z"))
                .setState("failed")
                .build();
    }

    static Event event(long seq, String time, String actor, String kind, String host, String subject, String message) {
        return Event.newBuilder()
                .setSeq(seq)
                .setTime(at(time))
                .setActor(actor)
                .setKind(kind)
                .setHost(host)
                .setSubject(subject)
                .setMessage(message)
                .setRevision(seq * 2)
                .build();
    }

    static AdminToken adminToken(String name, Role role, String created) {
        return AdminToken.newBuilder().setName(name).setRole(role).setCreated(at(created)).build();
    }
}
