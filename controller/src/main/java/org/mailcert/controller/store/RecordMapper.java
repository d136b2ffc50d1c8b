package org.mailcert.controller.store;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.ByteArrayInputStream;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mailcert.controller.model.AcmeOrder;
import org.mailcert.controller.model.AdminToken;
import org.mailcert.controller.model.DnsSolverConfig;
import org.mailcert.controller.model.Issuer;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.CertificateSource;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.HostFacts;
import org.mailcert.controller.model.HostState;
import org.mailcert.controller.model.JoinToken;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.ServiceEndpoint;
import org.mailcert.controller.model.ServiceFacts;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.proto.v1.SealedKey;
import org.mailcert.proto.v1.StoredAcmeOrder;
import org.mailcert.proto.v1.StoredDnsSolver;
import org.mailcert.proto.v1.StoredIssuer;
import org.mailcert.proto.v1.StoredRfc2136;
import org.mailcert.proto.v1.StoredAdminToken;
import org.mailcert.proto.v1.StoredBinding;
import org.mailcert.proto.v1.StoredCertificateVersion;
import org.mailcert.proto.v1.StoredEvent;
import org.mailcert.proto.v1.StoredHost;
import org.mailcert.proto.v1.StoredHostStatus;
import org.mailcert.proto.v1.StoredJoinToken;

/**
 * Maps model records to and from their stored messages (RocksDB values). Times are stored as epoch
 * milliseconds; an absent optional time is stored as 0. Decoding failures become
 * {@link StoreReadException}s that name the record.
 */
final class RecordMapper {

    private RecordMapper() {
    }

    // --- hosts

    static byte[] encode(Host h) {
        StoredHost.Builder b = StoredHost.newBuilder()
                .setFqdn(h.fqdn())
                .setId(h.id())
                .setState(toProto(h.state()))
                .setCreatedMillis(h.created().toEpochMilli())
                .putAllLabels(h.labels())
                .addAllAgentSerials(h.agentSerials())
                .setRevision(h.revision());
        return b.build().toByteArray();
    }

    static byte[] encode(HostStatus h) {
        StoredHostStatus.Builder b = StoredHostStatus.newBuilder()
                .setFqdn(h.fqdn())
                .setLastSeenMillis(h.lastSeen().map(Instant::toEpochMilli).orElse(0L))
                .setFacts(toProto(h.facts()))
                .addAllDiscoveredDomains(h.discoveredDomains())
                .setAppliedVersion(h.appliedVersion())
                .setLastError(h.lastError());
        h.lastReport().ifPresent(r -> b.setLastReport(ReportMapper.toProto(r)));
        h.reportReceived().ifPresent(t -> b.setReportMillis(t.toEpochMilli()));
        return b.build().toByteArray();
    }

    /** A status stored with a report has its time; a report without one (cannot happen) is dropped. */
    static HostStatus decodeHostStatus(byte[] value) {
        try {
            StoredHostStatus s = StoredHostStatus.parseFrom(value);
            boolean report = s.hasLastReport() && s.getReportMillis() != 0;
            return new HostStatus(s.getFqdn(), optionalMillis(s.getLastSeenMillis()), fromProto(s.getFacts()),
                    s.getDiscoveredDomainsList(), s.getAppliedVersion(), s.getLastError(),
                    report ? Optional.of(ReportMapper.fromProto(s.getLastReport())) : Optional.empty(),
                    report ? Optional.of(millis(s.getReportMillis())) : Optional.empty());
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw damaged("host status", e);
        }
    }

    static Host decodeHost(byte[] value) {
        try {
            StoredHost s = StoredHost.parseFrom(value);
            return new Host(s.getFqdn(), s.getId(), fromProto(s.getState()), millis(s.getCreatedMillis()),
                    s.getLabelsMap(), s.getAgentSerialsList(), s.getRevision());
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw damaged("host", e);
        }
    }

    // --- certificate versions

    static byte[] encode(CertificateVersion v) {
        StoredCertificateVersion.Builder b = StoredCertificateVersion.newBuilder()
                .setName(v.name())
                .setVersion(v.version())
                .setSource(toProto(v.source()))
                .setCreatedMillis(v.created().toEpochMilli())
                .setRevision(v.revision());
        for (X509Certificate c : v.chain()) {
            try {
                b.addChainDer(ByteString.copyFrom(c.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("certificate " + v.name() + " version " + v.version()
                        + " has a certificate that cannot be DER-encoded", e);
            }
        }
        return b.build().toByteArray();
    }

    /**
     * Parsed certificates by their DER bytes. Parsing X.509 is what reading a certificate version
     * costs; a host with 5,000 bindings reads 5,000 versions for every desired state and every
     * {@code host show}. Certificates are immutable, so a parsed one can be shared; the cache is
     * emptied when it reaches its bound (about 40 MiB of parsed certificates).
     */
    private static final java.util.concurrent.ConcurrentHashMap<ByteString, X509Certificate> PARSED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final int PARSED_MAX = 10_000;

    private static X509Certificate parsed(ByteString der) throws CertificateException {
        X509Certificate known = PARSED.get(der);
        if (known != null) {
            return known;
        }
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der.toByteArray()));
        if (PARSED.size() >= PARSED_MAX) {
            PARSED.clear();
        }
        PARSED.put(der, cert);
        return cert;
    }

    static CertificateVersion decodeCertificateVersion(byte[] value) {
        try {
            StoredCertificateVersion s = StoredCertificateVersion.parseFrom(value);
            List<X509Certificate> chain = new ArrayList<>(s.getChainDerCount());
            for (ByteString der : s.getChainDerList()) {
                chain.add(parsed(der));
            }
            return new CertificateVersion(s.getName(), s.getVersion(), chain, fromProto(s.getSource()),
                    millis(s.getCreatedMillis()), s.getRevision());
        } catch (InvalidProtocolBufferException | CertificateException | IllegalArgumentException e) {
            throw damaged("certificate version", e);
        }
    }

    // --- sealed keys

    static SealedKey decodeSealedKey(byte[] value) {
        try {
            return SealedKey.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw damaged("sealed key", e);
        }
    }

    // --- issuers

    /** An issuer with its secrets already sealed (by the transaction, which has the sealer). */
    static byte[] encode(Issuer i, SealedKey accountKey, Optional<SealedKey> eabHmac, Optional<SealedKey> tsigSecret) {
        StoredDnsSolver.Builder dns = StoredDnsSolver.newBuilder();
        if (i.dns() instanceof DnsSolverConfig.Rfc2136 r) {
            StoredRfc2136.Builder rb = StoredRfc2136.newBuilder().setServer(r.server()).setTsigKeyName(r.tsigKeyName())
                    .setTsigAlgorithm(r.tsigAlgorithm()).setZone(r.zone());
            tsigSecret.ifPresent(rb::setTsigSecret);
            dns.setRfc2136(rb);
        } else if (i.dns() instanceof DnsSolverConfig.Exec e) {
            dns.setExecCommand(e.command());
        }
        StoredIssuer.Builder b = StoredIssuer.newBuilder()
                .setName(i.name())
                .setDirectoryUrl(i.directoryUrl())
                .setEmail(i.email())
                .setDirectoryCaPem(i.directoryCaPem())
                .setEabKid(i.eabKid())
                .setDns(dns)
                .setAccountKey(accountKey)
                .setAccountUrl(i.accountUrl())
                .setAccountState(i.accountState())
                .setCreatedMillis(i.created().toEpochMilli())
                .addAllProfiles(i.profiles())
                .setAri(i.ari());
        eabHmac.ifPresent(b::setEabHmac);
        return b.build().toByteArray();
    }

    static StoredIssuer decodeStoredIssuer(byte[] value) {
        try {
            return StoredIssuer.parseFrom(value);
        } catch (InvalidProtocolBufferException e) {
            throw damaged("issuer", e);
        }
    }

    /** The issuer without its sealed secrets. */
    static Issuer decodeIssuer(byte[] value) {
        StoredIssuer s = decodeStoredIssuer(value);
        DnsSolverConfig dns = switch (s.getDns().getKindCase()) {
            case RFC2136 -> new DnsSolverConfig.Rfc2136(s.getDns().getRfc2136().getServer(),
                    s.getDns().getRfc2136().getTsigKeyName(), s.getDns().getRfc2136().getTsigAlgorithm(),
                    s.getDns().getRfc2136().getZone());
            case EXEC_COMMAND -> new DnsSolverConfig.Exec(s.getDns().getExecCommand());
            case KIND_NOT_SET -> throw damaged("issuer", new IllegalArgumentException("issuer " + s.getName()
                    + " has no DNS solver"));
        };
        return new Issuer(s.getName(), s.getDirectoryUrl(), s.getEmail(), s.getDirectoryCaPem(), s.getEabKid(), dns,
                s.getAccountUrl(), s.getAccountState(), millis(s.getCreatedMillis()), s.getProfilesList(), s.getAri());
    }

    // --- ACME orders

    static byte[] encode(AcmeOrder o) {
        return StoredAcmeOrder.newBuilder()
                .setName(o.name())
                .setIssuer(o.issuer())
                .addAllDomains(o.domains())
                .setKeyType(o.keyType())
                .setProfile(o.profile())
                .setLastAttemptMillis(o.lastAttempt().map(Instant::toEpochMilli).orElse(0L))
                .setLastResult(o.lastResult())
                .setLastError(o.lastError())
                .setErrorKind(o.errorKind())
                .setFailures(o.failures())
                .setNextAttemptMillis(o.nextAttempt().toEpochMilli())
                .setNextReason(o.nextReason())
                .setBundleHost(o.bundleHost())
                .setBundleMaxNames(o.bundleMaxNames())
                .build().toByteArray();
    }

    static AcmeOrder decodeAcmeOrder(byte[] value) {
        try {
            StoredAcmeOrder s = StoredAcmeOrder.parseFrom(value);
            return new AcmeOrder(s.getName(), s.getIssuer(), s.getDomainsList(), s.getKeyType(), s.getProfile(),
                    optionalMillis(s.getLastAttemptMillis()), s.getLastResult(), s.getLastError(), s.getErrorKind(),
                    s.getFailures(), millis(s.getNextAttemptMillis()), s.getNextReason(), s.getBundleHost(),
                    s.getBundleMaxNames());
        } catch (InvalidProtocolBufferException e) {
            throw damaged("ACME order", e);
        }
    }

    // --- bindings

    static byte[] encode(Binding b) {
        return StoredBinding.newBuilder()
                .setHost(b.key().host())
                .setScope(toProto(b.key().scope()))
                .setDomain(b.key().domain())
                .setCertificate(b.certificate())
                .addAllWarnings(b.warnings())
                .setCreatedMillis(b.created().toEpochMilli())
                .setRevision(b.revision())
                .build().toByteArray();
    }

    static Binding decodeBinding(byte[] value) {
        try {
            StoredBinding s = StoredBinding.parseFrom(value);
            return new Binding(new BindingKey(s.getHost(), fromProto(s.getScope()), s.getDomain()), s.getCertificate(),
                    s.getWarningsList(), millis(s.getCreatedMillis()), s.getRevision());
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw damaged("binding", e);
        }
    }

    // --- join tokens

    static byte[] encode(JoinToken t) {
        return StoredJoinToken.newBuilder()
                .setId(t.id())
                .setSecretSha256(ByteString.copyFrom(t.secretSha256()))
                .setHost(t.host())
                .setCreatedMillis(t.created().toEpochMilli())
                .setExpiresMillis(t.expires().toEpochMilli())
                .setUsedMillis(t.used().map(Instant::toEpochMilli).orElse(0L))
                .setCreatedBy(t.createdBy())
                .build().toByteArray();
    }

    static JoinToken decodeJoinToken(byte[] value) {
        try {
            StoredJoinToken s = StoredJoinToken.parseFrom(value);
            return new JoinToken(s.getId(), s.getSecretSha256().toByteArray(), s.getHost(),
                    millis(s.getCreatedMillis()), millis(s.getExpiresMillis()), optionalMillis(s.getUsedMillis()),
                    s.getCreatedBy());
        } catch (InvalidProtocolBufferException e) {
            throw damaged("join token", e);
        }
    }

    // --- admin tokens

    static byte[] encode(AdminToken t) {
        return StoredAdminToken.newBuilder()
                .setName(t.name())
                .setSecretSha256(ByteString.copyFrom(t.secretSha256()))
                .setRole(toProto(t.role()))
                .setCreatedMillis(t.created().toEpochMilli())
                .build().toByteArray();
    }

    static AdminToken decodeAdminToken(byte[] value) {
        try {
            StoredAdminToken s = StoredAdminToken.parseFrom(value);
            return new AdminToken(s.getName(), s.getSecretSha256().toByteArray(), fromProto(s.getRole()),
                    millis(s.getCreatedMillis()));
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            throw damaged("admin token", e);
        }
    }

    // --- events

    static byte[] encode(Event e) {
        return StoredEvent.newBuilder()
                .setSeq(e.seq())
                .setTimeMillis(e.time().toEpochMilli())
                .setActor(e.actor())
                .setKind(e.kind())
                .setHost(e.host())
                .setSubject(e.subject())
                .setMessage(e.message())
                .setRevision(e.revision())
                .build().toByteArray();
    }

    static Event decodeEvent(byte[] value) {
        try {
            StoredEvent s = StoredEvent.parseFrom(value);
            return new Event(s.getSeq(), millis(s.getTimeMillis()), s.getActor(), s.getKind(), s.getHost(),
                    s.getSubject(), s.getMessage(), s.getRevision());
        } catch (InvalidProtocolBufferException e) {
            throw damaged("event", e);
        }
    }

    // --- enums: explicit, so renaming a Java constant cannot change what is on disk

    static org.mailcert.proto.v1.Scope toProto(Scope s) {
        return switch (s) {
            case SERVER -> org.mailcert.proto.v1.Scope.SCOPE_SERVER;
            case MAIL -> org.mailcert.proto.v1.Scope.SCOPE_MAIL;
            case WEBMAIL -> org.mailcert.proto.v1.Scope.SCOPE_WEBMAIL;
        };
    }

    static Scope fromProto(org.mailcert.proto.v1.Scope s) {
        return switch (s) {
            case SCOPE_SERVER -> Scope.SERVER;
            case SCOPE_MAIL -> Scope.MAIL;
            case SCOPE_WEBMAIL -> Scope.WEBMAIL;
            default -> throw new IllegalArgumentException("unknown scope " + s);
        };
    }

    static org.mailcert.proto.v1.HostState toProto(HostState s) {
        return switch (s) {
            case PENDING_ENROLLMENT -> org.mailcert.proto.v1.HostState.HOST_STATE_PENDING_ENROLLMENT;
            case ENROLLED -> org.mailcert.proto.v1.HostState.HOST_STATE_ENROLLED;
            case REVOKED -> org.mailcert.proto.v1.HostState.HOST_STATE_REVOKED;
        };
    }

    static HostState fromProto(org.mailcert.proto.v1.HostState s) {
        return switch (s) {
            case HOST_STATE_PENDING_ENROLLMENT -> HostState.PENDING_ENROLLMENT;
            case HOST_STATE_ENROLLED -> HostState.ENROLLED;
            case HOST_STATE_REVOKED -> HostState.REVOKED;
            default -> throw new IllegalArgumentException("unknown host state " + s);
        };
    }

    static org.mailcert.proto.v1.CertificateSource toProto(CertificateSource s) {
        return switch (s) {
            case IMPORTED_PEM -> org.mailcert.proto.v1.CertificateSource.CERTIFICATE_SOURCE_IMPORTED_PEM;
            case IMPORTED_PKCS12 -> org.mailcert.proto.v1.CertificateSource.CERTIFICATE_SOURCE_IMPORTED_PKCS12;
            case ACME -> org.mailcert.proto.v1.CertificateSource.CERTIFICATE_SOURCE_ACME;
            case SELF_SIGNED -> org.mailcert.proto.v1.CertificateSource.CERTIFICATE_SOURCE_SELF_SIGNED;
        };
    }

    static CertificateSource fromProto(org.mailcert.proto.v1.CertificateSource s) {
        return switch (s) {
            case CERTIFICATE_SOURCE_IMPORTED_PEM -> CertificateSource.IMPORTED_PEM;
            case CERTIFICATE_SOURCE_IMPORTED_PKCS12 -> CertificateSource.IMPORTED_PKCS12;
            case CERTIFICATE_SOURCE_ACME -> CertificateSource.ACME;
            case CERTIFICATE_SOURCE_SELF_SIGNED -> CertificateSource.SELF_SIGNED;
            default -> throw new IllegalArgumentException("unknown certificate source " + s);
        };
    }

    static org.mailcert.proto.v1.Role toProto(Role r) {
        return switch (r) {
            case VIEWER -> org.mailcert.proto.v1.Role.ROLE_VIEWER;
            case OPERATOR -> org.mailcert.proto.v1.Role.ROLE_OPERATOR;
            case ADMIN -> org.mailcert.proto.v1.Role.ROLE_ADMIN;
        };
    }

    static Role fromProto(org.mailcert.proto.v1.Role r) {
        return switch (r) {
            case ROLE_VIEWER -> Role.VIEWER;
            case ROLE_OPERATOR -> Role.OPERATOR;
            case ROLE_ADMIN -> Role.ADMIN;
            default -> throw new IllegalArgumentException("unknown role " + r);
        };
    }

    static org.mailcert.proto.v1.SniSupport toProto(SniSupport s) {
        return switch (s) {
            case UNKNOWN -> org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_UNKNOWN;
            case YES -> org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_YES;
            case NO -> org.mailcert.proto.v1.SniSupport.SNI_SUPPORT_NO;
        };
    }

    static SniSupport fromProto(org.mailcert.proto.v1.SniSupport s) {
        return switch (s) {
            case SNI_SUPPORT_UNKNOWN -> SniSupport.UNKNOWN;
            case SNI_SUPPORT_YES -> SniSupport.YES;
            case SNI_SUPPORT_NO -> SniSupport.NO;
            default -> throw new IllegalArgumentException("unknown SNI support " + s);
        };
    }

    static org.mailcert.proto.v1.HostFacts toProto(HostFacts f) {
        var b = org.mailcert.proto.v1.HostFacts.newBuilder()
                .setOs(f.os())
                .setAgentVersion(f.agentVersion())
                .putAllSoftware(f.software())
                .setSni(toProto(f.sni()))
                .addAllDomains(f.domains())
                .addAllProblems(f.problems());
        for (ServiceFacts s : f.services()) {
            var sb = org.mailcert.proto.v1.ServiceFacts.newBuilder()
                    .setSoftware(s.software())
                    .setVersion(s.version())
                    .setPerDomainSni(s.perDomainSni())
                    .addAllProblems(s.problems());
            s.endpoints().forEach(e -> sb.addEndpoints(org.mailcert.proto.v1.ServiceEndpoint.newBuilder()
                    .setService(e.service()).setPort(e.port())));
            b.addServices(sb);
        }
        return b.build();
    }

    static HostFacts fromProto(org.mailcert.proto.v1.HostFacts f) {
        List<ServiceFacts> services = new ArrayList<>();
        for (var s : f.getServicesList()) {
            services.add(new ServiceFacts(s.getSoftware(), s.getVersion(), s.getPerDomainSni(),
                    s.getEndpointsList().stream().map(e -> new ServiceEndpoint(e.getService(), e.getPort())).toList(),
                    s.getProblemsList()));
        }
        return new HostFacts(f.getOs(), f.getAgentVersion(), f.getSoftwareMap(), fromProto(f.getSni()), services,
                f.getDomainsList(), f.getProblemsList());
    }

    private static Instant millis(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis);
    }

    private static Optional<Instant> optionalMillis(long epochMillis) {
        return epochMillis == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(epochMillis));
    }

    private static StoreReadException damaged(String what, Exception cause) {
        return new StoreReadException("the store holds a damaged " + what + " record (" + cause.getMessage()
                + "); restore the store from backup", cause);
    }
}
