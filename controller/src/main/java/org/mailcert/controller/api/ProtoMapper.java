package org.mailcert.controller.api;

import com.google.protobuf.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.mailcert.common.pki.CertificateFacts;
import org.mailcert.common.pki.Pem;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.certs.Assessment;
import org.mailcert.controller.clients.HostClientSettings;
import org.mailcert.controller.drift.BoundCertificate;
import org.mailcert.controller.drift.ExpiringCertificate;
import org.mailcert.controller.drift.FleetStatus;
import org.mailcert.controller.drift.HostDrift;
import org.mailcert.controller.drift.SyncState;
import org.mailcert.controller.hosts.HostView;
import org.mailcert.controller.issuers.IssuerRequest;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.DnsSolverConfig;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingConditions;
import org.mailcert.controller.model.DriftItem;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.store.ReportMapper;
import org.mailcert.proto.v1.CertificateSource;
import org.mailcert.proto.v1.CertificateVersion;
import org.mailcert.proto.v1.HostDetail;
import org.mailcert.proto.v1.HostDriftItem;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.HostState;
import org.mailcert.proto.v1.Role;
import org.mailcert.proto.v1.Scope;
import org.mailcert.proto.v1.ServiceEndpoint;
import org.mailcert.proto.v1.ServiceFacts;
import org.mailcert.proto.v1.SniSupport;

/** Domain values to and from their proto messages: all mapping of the admin API in one place. */
final class ProtoMapper {
    private ProtoMapper() {
    }

    static Timestamp timestamp(Instant i) {
        return ReportMapper.timestamp(i);
    }

    static Scope scope(org.mailcert.controller.model.Scope s) {
        return switch (s) {
            case SERVER -> Scope.SCOPE_SERVER;
            case MAIL -> Scope.SCOPE_MAIL;
            case WEBMAIL -> Scope.SCOPE_WEBMAIL;
        };
    }

    static org.mailcert.controller.model.Scope scope(Scope s) throws ControllerException {
        return switch (s) {
            case SCOPE_SERVER -> org.mailcert.controller.model.Scope.SERVER;
            case SCOPE_MAIL -> org.mailcert.controller.model.Scope.MAIL;
            case SCOPE_WEBMAIL -> org.mailcert.controller.model.Scope.WEBMAIL;
            default -> throw ControllerException.invalid("scope must be server, mail or webmail");
        };
    }

    static Role role(org.mailcert.controller.model.Role r) {
        return switch (r) {
            case VIEWER -> Role.ROLE_VIEWER;
            case OPERATOR -> Role.ROLE_OPERATOR;
            case ADMIN -> Role.ROLE_ADMIN;
        };
    }

    static org.mailcert.controller.model.Role role(Role r) throws ControllerException {
        return switch (r) {
            case ROLE_VIEWER -> org.mailcert.controller.model.Role.VIEWER;
            case ROLE_OPERATOR -> org.mailcert.controller.model.Role.OPERATOR;
            case ROLE_ADMIN -> org.mailcert.controller.model.Role.ADMIN;
            default -> throw ControllerException.invalid("role must be viewer, operator or admin");
        };
    }

    static org.mailcert.proto.v1.Binding binding(Binding b, String state) {
        return org.mailcert.proto.v1.Binding.newBuilder()
                .setHost(b.key().host())
                .setScope(scope(b.key().scope()))
                .setDomain(b.key().domain())
                .setCertificate(b.certificate())
                .setServedName(b.servedName())
                .addAllWarnings(b.warnings())
                .setRevision(b.revision())
                .setCreated(timestamp(b.created()))
                .setState(state)
                .build();
    }

    static CertificateVersion certificate(Assessment a) {
        CertificateFacts f = a.facts();
        var v = a.version();
        return CertificateVersion.newBuilder()
                .setName(v.name())
                .setVersion(v.version())
                .setSubject(f.subject())
                .setIssuer(f.issuer())
                .addAllDnsNames(f.names())
                .setNotBefore(timestamp(f.notBefore()))
                .setNotAfter(timestamp(f.notAfter()))
                .setKeyType(f.keyType())
                .setKeyBits(f.keyBits())
                .setSha256(f.sha256())
                .setSelfSigned(f.selfSigned())
                .setTrusted(a.trust().trusted())
                .setTrustProblem(a.trust().trusted() ? "" : a.trust().problem())
                .setSource(source(v.source()))
                .setRevision(v.revision())
                .setCreated(timestamp(v.created()))
                .setChainPem(Pem.certificates(v.chain()))
                .setSerial(f.serialHex())
                .build();
    }

    static CertificateSource source(org.mailcert.controller.model.CertificateSource s) {
        return switch (s) {
            case IMPORTED_PEM -> CertificateSource.CERTIFICATE_SOURCE_IMPORTED_PEM;
            case IMPORTED_PKCS12 -> CertificateSource.CERTIFICATE_SOURCE_IMPORTED_PKCS12;
            case ACME -> CertificateSource.CERTIFICATE_SOURCE_ACME;
            case SELF_SIGNED -> CertificateSource.CERTIFICATE_SOURCE_SELF_SIGNED;
        };
    }

    static org.mailcert.proto.v1.Host host(HostView view) {
        Host h = view.host();
        var b = org.mailcert.proto.v1.Host.newBuilder()
                .setFqdn(h.fqdn())
                .setId(h.id())
                .setState(switch (h.state()) {
                    case PENDING_ENROLLMENT -> HostState.HOST_STATE_PENDING_ENROLLMENT;
                    case ENROLLED -> HostState.HOST_STATE_ENROLLED;
                    case REVOKED -> HostState.HOST_STATE_REVOKED;
                })
                .setCreated(timestamp(h.created()))
                .putAllLabels(h.labels())
                .setFacts(facts(view.status().facts()))
                .addAllDiscoveredDomains(view.status().discoveredDomains())
                .setDesiredVersion(view.desiredVersion())
                .setAppliedVersion(view.status().appliedVersion())
                .setConnected(view.connected())
                .setLastError(view.status().lastError())
                .addAllUncoveredDomains(view.uncoveredDomains())
                .setSyncState(view.syncState().label());
        view.status().lastSeen().ifPresent(t -> b.setLastSeen(timestamp(t)));
        view.status().lastReport().ifPresent(r -> b
                .addAllConditions(r.hostConditions().stream().map(ReportMapper::toProto).toList())
                .setMode(ReportMapper.toProto(r.mode()))
                .setLastOutcome(ReportMapper.toProto(r.outcome()))
                .setDriftItems(r.outstanding().size()));
        view.status().reportReceived().ifPresent(t -> b.setLastReport(timestamp(t)));
        return b.build();
    }

    /**
     * A host with its bindings (and their states, in the same order), and what its agent last
     * reported about them: binding conditions by id, drift items by subject, reason and target.
     */
    static HostDetail hostDetail(HostView view, List<org.mailcert.proto.v1.Binding> bindings) {
        var b = HostDetail.newBuilder().setHost(host(view)).addAllBindings(bindings);
        view.status().lastReport().ifPresent(r -> {
            r.bindings().stream().sorted(Comparator.comparing(BindingConditions::id))
                    .forEach(c -> b.addBindingConditions(ReportMapper.toProto(c)));
            r.items().stream().sorted(DriftItem.ORDER).forEach(i -> b.addDrift(ReportMapper.toProto(i)));
        });
        return b.build();
    }

    static org.mailcert.proto.v1.FleetStatus fleetStatus(FleetStatus s) {
        Map<SyncState, Integer> n = s.byState();
        return org.mailcert.proto.v1.FleetStatus.newBuilder()
                .setHosts(s.hosts())
                .setConnected(s.connected())
                .setInSync(n.get(SyncState.IN_SYNC))
                .setDrifting(n.get(SyncState.DRIFTING))
                .setFailing(n.get(SyncState.FAILING))
                .setPending(n.get(SyncState.PENDING))
                .setRevoked(n.get(SyncState.REVOKED))
                .putAllDriftByReason(s.driftByReason())
                .addAllExpiring(s.expiring().stream().map(ProtoMapper::expiring).toList())
                .setExpiringWithinSeconds(s.within().toSeconds())
                .build();
    }

    static org.mailcert.proto.v1.ExpiringCertificate expiring(ExpiringCertificate e) {
        BoundCertificate c = e.certificate();
        return org.mailcert.proto.v1.ExpiringCertificate.newBuilder()
                .setName(c.name())
                .setVersion(c.version())
                .setSha256(c.sha256())
                .setNotAfter(timestamp(c.notAfter()))
                .setDaysLeft(e.daysLeft())
                .addAllHosts(c.hosts())
                .build();
    }

    static HostDriftItem driftItem(HostDrift d) {
        return HostDriftItem.newBuilder()
                .setHost(d.host())
                .setItem(ReportMapper.toProto(d.item()))
                .setMode(ReportMapper.toProto(d.mode()))
                .setReported(timestamp(d.reported()))
                .build();
    }

    static HostFacts facts(org.mailcert.controller.model.HostFacts f) {
        var b = HostFacts.newBuilder()
                .setOs(f.os())
                .setAgentVersion(f.agentVersion())
                .putAllSoftware(f.software())
                .setSni(switch (f.sni()) {
                    case UNKNOWN -> SniSupport.SNI_SUPPORT_UNKNOWN;
                    case YES -> SniSupport.SNI_SUPPORT_YES;
                    case NO -> SniSupport.SNI_SUPPORT_NO;
                })
                .addAllDomains(f.domains())
                .addAllProblems(f.problems());
        for (org.mailcert.controller.model.ServiceFacts s : f.services()) {
            var sb = ServiceFacts.newBuilder()
                    .setSoftware(s.software())
                    .setVersion(s.version())
                    .setPerDomainSni(s.perDomainSni())
                    .addAllProblems(s.problems());
            s.endpoints().forEach(e -> sb.addEndpoints(ServiceEndpoint.newBuilder()
                    .setService(e.service()).setPort(e.port())));
            b.addServices(sb);
        }
        return b.build();
    }

    /**
     * Facts an agent sent, as the domain records them: domains normalized, sorted and de-duplicated;
     * one that is not a valid host name becomes a problem line instead.
     */
    static org.mailcert.controller.model.HostFacts facts(HostFacts f) {
        List<org.mailcert.controller.model.ServiceFacts> services = new ArrayList<>();
        for (ServiceFacts s : f.getServicesList()) {
            services.add(new org.mailcert.controller.model.ServiceFacts(s.getSoftware(), s.getVersion(),
                    s.getPerDomainSni(), s.getEndpointsList().stream()
                            .map(e -> new org.mailcert.controller.model.ServiceEndpoint(e.getService(), e.getPort()))
                            .toList(),
                    s.getProblemsList()));
        }
        TreeSet<String> domains = new TreeSet<>();
        List<String> problems = new ArrayList<>(f.getProblemsList());
        for (String d : f.getDomainsList()) {
            try {
                domains.add(DnsNames.hostname(d));
            } catch (InvalidNameException e) {
                problems.add("the agent reported a domain that is not a host name: " + DnsNames.displaySafe(d));
            }
        }
        return new org.mailcert.controller.model.HostFacts(f.getOs(), f.getAgentVersion(), f.getSoftwareMap(),
                switch (f.getSni()) {
                    case SNI_SUPPORT_YES -> org.mailcert.controller.model.SniSupport.YES;
                    case SNI_SUPPORT_NO -> org.mailcert.controller.model.SniSupport.NO;
                    default -> org.mailcert.controller.model.SniSupport.UNKNOWN;
                }, services, List.copyOf(domains), problems);
    }

    static org.mailcert.proto.v1.Event event(Event e) {
        return org.mailcert.proto.v1.Event.newBuilder()
                .setSeq(e.seq())
                .setTime(timestamp(e.time()))
                .setActor(e.actor())
                .setKind(e.kind())
                .setHost(e.host())
                .setSubject(e.subject())
                .setMessage(e.message())
                .setRevision(e.revision())
                .build();
    }

    static org.mailcert.proto.v1.HostClientSettings clientSettings(HostClientSettings s) {
        return org.mailcert.proto.v1.HostClientSettings.newBuilder()
                .setHost(s.host())
                .setImap(s.imap())
                .setPop3(s.pop3())
                .setSmtp(s.smtp())
                .setWebmailUrl(s.webmailUrl())
                .addAllReasons(s.reasons())
                .addAllWarnings(s.warnings())
                .build();
    }

    static org.mailcert.proto.v1.AdminToken adminToken(AdminToken t) {
        return org.mailcert.proto.v1.AdminToken.newBuilder()
                .setName(t.name())
                .setRole(role(t.role()))
                .setCreated(timestamp(t.created()))
                .build();
    }

    static org.mailcert.proto.v1.Issuer issuer(org.mailcert.controller.model.Issuer i) {
        org.mailcert.proto.v1.DnsSolver.Builder dns = org.mailcert.proto.v1.DnsSolver.newBuilder();
        if (i.dns() instanceof DnsSolverConfig.Rfc2136 r) {
            dns.setRfc2136(org.mailcert.proto.v1.Rfc2136Solver.newBuilder().setServer(r.server())
                    .setTsigKeyName(r.tsigKeyName()).setTsigAlgorithm(r.tsigAlgorithm()).setZone(r.zone()));
        } else if (i.dns() instanceof DnsSolverConfig.Exec e) {
            dns.setExec(org.mailcert.proto.v1.ExecHookSolver.newBuilder().setCommand(e.command()));
        }
        return org.mailcert.proto.v1.Issuer.newBuilder()
                .setName(i.name())
                .setDirectoryUrl(i.directoryUrl())
                .setEmail(i.email())
                .setDirectoryCa(!i.directoryCaPem().isEmpty())
                .setEabKid(i.eabKid())
                .setDns(dns)
                .setAccountUrl(i.accountUrl())
                .setAccountState(i.accountState())
                .setCreated(timestamp(i.created()))
                .addAllProfiles(i.profiles())
                .setAri(i.ari())
                .build();
    }

    static IssuerRequest issuerRequest(org.mailcert.proto.v1.AddIssuerRequest r) {
        DnsSolverConfig dns = switch (r.getDns().getKindCase()) {
            case RFC2136 -> new DnsSolverConfig.Rfc2136(r.getDns().getRfc2136().getServer(),
                    r.getDns().getRfc2136().getTsigKeyName(), r.getDns().getRfc2136().getTsigAlgorithm(),
                    r.getDns().getRfc2136().getZone());
            case EXEC -> new DnsSolverConfig.Exec(r.getDns().getExec().getCommand());
            case KIND_NOT_SET -> null;
        };
        return new IssuerRequest(r.getName(), r.getDirectoryUrl(), r.getEmail(),
                r.getDirectoryCaPem().toStringUtf8(), r.getEabKid(), r.getEabHmac(), dns,
                r.getDns().getRfc2136().getTsigSecret());
    }

    static org.mailcert.proto.v1.AcmeStatus acme(AcmeOrder o) {
        org.mailcert.proto.v1.AcmeStatus.Builder b = org.mailcert.proto.v1.AcmeStatus.newBuilder()
                .setIssuer(o.issuer())
                .addAllDomains(o.domains())
                .setKeyType(o.keyType())
                .setProfile(o.profile())
                .setLastResult(o.lastResult())
                .setLastError(o.lastError())
                .setErrorKind(o.errorKind())
                .setFailures(o.failures())
                .setNextAttempt(timestamp(o.nextAttempt()))
                .setNextReason(o.nextReason())
                .setBundleHost(o.bundleHost());
        o.lastAttempt().ifPresent(t -> b.setLastAttempt(timestamp(t)));
        return b.build();
    }
}
