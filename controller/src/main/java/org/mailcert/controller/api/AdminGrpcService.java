package org.mailcert.controller.api;

import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.auth.AdminTokens;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.bindings.BindResult;
import org.mailcert.controller.bindings.BindingService;
import org.mailcert.controller.bindings.BindingStates;
import org.mailcert.controller.certs.CertificateDetail;
import org.mailcert.controller.certs.CertificateService;
import org.mailcert.controller.certs.ImportRequest;
import org.mailcert.controller.certs.ImportResult;
import org.mailcert.controller.clients.ClientSettingsService;
import org.mailcert.controller.drift.DriftService;
import org.mailcert.controller.events.EventFeed;
import org.mailcert.controller.hosts.HostService;
import org.mailcert.controller.hosts.HostView;
import org.mailcert.controller.hosts.JoinTokenIssued;
import org.mailcert.controller.issuers.IssuerService;
import org.mailcert.controller.issuers.OrderOutcome;
import org.mailcert.controller.issuers.BundleService;
import org.mailcert.controller.issuers.RequestService;
import org.mailcert.proto.v1.AddIssuerRequest;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.Issuer;
import org.mailcert.proto.v1.ListIssuersRequest;
import org.mailcert.proto.v1.ListIssuersResponse;
import org.mailcert.proto.v1.RequestCertificateRequest;
import org.mailcert.proto.v1.RequestCertificateResponse;
import org.mailcert.proto.v1.RequestHostBundleRequest;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.BindResponse;
import org.mailcert.proto.v1.CertificateSummary;
import org.mailcert.proto.v1.ClientSettings;
import org.mailcert.proto.v1.CreateAdminTokenRequest;
import org.mailcert.proto.v1.CreateAdminTokenResponse;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.CreateJoinTokenResponse;
import org.mailcert.proto.v1.DeleteCertificateRequest;
import org.mailcert.proto.v1.DeleteCertificateResponse;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.FleetStatus;
import org.mailcert.proto.v1.GetFleetStatusRequest;
import org.mailcert.proto.v1.ListDriftRequest;
import org.mailcert.proto.v1.ListDriftResponse;
import org.mailcert.proto.v1.ListExpiringRequest;
import org.mailcert.proto.v1.ListExpiringResponse;
import org.mailcert.proto.v1.GetCertificateRequest;
import org.mailcert.proto.v1.GetClientSettingsRequest;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.HostDetail;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.ImportCertificateResponse;
import org.mailcert.proto.v1.ListAdminTokensRequest;
import org.mailcert.proto.v1.ListAdminTokensResponse;
import org.mailcert.proto.v1.ListBindingsRequest;
import org.mailcert.proto.v1.ListBindingsResponse;
import org.mailcert.proto.v1.ListCertificatesRequest;
import org.mailcert.proto.v1.ListCertificatesResponse;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.ListEventsResponse;
import org.mailcert.proto.v1.ListHostsRequest;
import org.mailcert.proto.v1.ListHostsResponse;
import org.mailcert.proto.v1.RevokeAdminTokenRequest;
import org.mailcert.proto.v1.RevokeAdminTokenResponse;
import org.mailcert.proto.v1.UnbindRequest;
import org.mailcert.proto.v1.UnbindResponse;

/**
 * The admin API as a thin adapter: proto request to domain call to proto response. Rules live
 * in the domain services; authentication and roles in {@link AdminAuthInterceptor}.
 */
public final class AdminGrpcService extends AdminServiceGrpc.AdminServiceImplBase {
    private final HostService hosts;
    private final CertificateService certificates;
    private final BindingService bindings;
    private final ClientSettingsService clientSettings;
    private final EventFeed events;
    private final AdminTokens adminTokens;
    private final BindingStates states;
    private final DriftService drift;
    private final IssuerService issuers;
    private final RequestService requests;
    private final BundleService bundles;

    /** Without ACME: the issuer and request calls answer UNAVAILABLE. */
    public AdminGrpcService(HostService hosts, CertificateService certificates, BindingService bindings,
            ClientSettingsService clientSettings, EventFeed events, AdminTokens adminTokens, BindingStates states,
            DriftService drift) {
        this(hosts, certificates, bindings, clientSettings, events, adminTokens, states, drift, null, null, null);
    }

    /** With ACME but without SAN bundles: RequestHostBundle answers UNAVAILABLE. */
    public AdminGrpcService(HostService hosts, CertificateService certificates, BindingService bindings,
            ClientSettingsService clientSettings, EventFeed events, AdminTokens adminTokens, BindingStates states,
            DriftService drift, IssuerService issuers, RequestService requests) {
        this(hosts, certificates, bindings, clientSettings, events, adminTokens, states, drift, issuers, requests,
                null);
    }

    public AdminGrpcService(HostService hosts, CertificateService certificates, BindingService bindings,
            ClientSettingsService clientSettings, EventFeed events, AdminTokens adminTokens, BindingStates states,
            DriftService drift, IssuerService issuers, RequestService requests, BundleService bundles) {
        this.bundles = bundles;
        this.issuers = issuers;
        this.requests = requests;
        this.states = states;
        this.drift = drift;
        this.hosts = hosts;
        this.certificates = certificates;
        this.bindings = bindings;
        this.clientSettings = clientSettings;
        this.events = events;
        this.adminTokens = adminTokens;
    }

    /** This service wrapped with bearer-token authentication and role checks. */
    public io.grpc.ServerServiceDefinition withAuth() {
        return io.grpc.ServerInterceptors.intercept(this, new AdminAuthInterceptor(adminTokens));
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(Caller caller) throws ControllerException;
    }

    private static <T> void unary(String method, StreamObserver<T> out, Call<T> call) {
        T result;
        try {
            result = call.run(caller());
        } catch (Exception e) {
            out.onError(Statuses.of(method, e));
            return;
        }
        out.onNext(result);
        out.onCompleted();
    }

    private static Caller caller() {
        Caller c = AdminAuthInterceptor.CALLER.get();
        return c == null ? Caller.CONTROLLER : c;
    }

    @Override
    public void createJoinToken(CreateJoinTokenRequest r, StreamObserver<CreateJoinTokenResponse> out) {
        unary("CreateJoinToken", out, c -> {
            JoinTokenIssued t = hosts.createJoinToken(c, r.getHost(), Duration.ofSeconds(r.getTtlSeconds()));
            return CreateJoinTokenResponse.newBuilder()
                    .setToken(t.token().encode())
                    .setHost(t.host())
                    .setExpires(ProtoMapper.timestamp(t.expires()))
                    .setCaSha256(t.token().caSha256Hex())
                    .setHostCreated(t.hostCreated())
                    .build();
        });
    }

    @Override
    public void listHosts(ListHostsRequest r, StreamObserver<ListHostsResponse> out) {
        unary("ListHosts", out, c -> ListHostsResponse.newBuilder()
                .addAllHosts(hosts.list().stream().map(ProtoMapper::host).toList()).build());
    }

    @Override
    public void getHost(GetHostRequest r, StreamObserver<HostDetail> out) {
        unary("GetHost", out, c -> {
            HostView v = hosts.show(r.getHost());
            return ProtoMapper.hostDetail(v, bindings(v.bindings()));
        });
    }

    @Override
    public void revokeHost(org.mailcert.proto.v1.RevokeHostRequest r, StreamObserver<HostDetail> out) {
        unary("RevokeHost", out, c -> {
            HostView v = hosts.revoke(c, r.getHost());
            return ProtoMapper.hostDetail(v, bindings(v.bindings()));
        });
    }

    @Override
    public void importCertificate(ImportCertificateRequest r, StreamObserver<ImportCertificateResponse> out) {
        unary("ImportCertificate", out, c -> {
            ImportResult res = certificates.importCertificate(c, new ImportRequest(r.getName(),
                    r.getChainPem().toByteArray(), r.getKeyPem().toByteArray(), r.getPkcs12().toByteArray(),
                    r.getPassword().toCharArray(), r.getNewVersion()));
            return ImportCertificateResponse.newBuilder()
                    .setCertificate(ProtoMapper.certificate(res.certificate()))
                    .addAllWarnings(res.warnings()).build();
        });
    }

    @Override
    public void listCertificates(ListCertificatesRequest r, StreamObserver<ListCertificatesResponse> out) {
        unary("ListCertificates", out, c -> {
            var b = ListCertificatesResponse.newBuilder();
            for (CertificateDetail d : certificates.list()) {
                b.addCertificates(CertificateSummary.newBuilder()
                        .setLatest(ProtoMapper.certificate(d.latest()))
                        .setVersions(d.latest().version().version())
                        .addAllUsedBy(bindings(d.usedBy())));
            }
            return b.build();
        });
    }

    @Override
    public void getCertificate(GetCertificateRequest r, StreamObserver<org.mailcert.proto.v1.CertificateDetail> out) {
        unary("GetCertificate", out, c -> {
            CertificateDetail d = certificates.show(r.getName());
            org.mailcert.proto.v1.CertificateDetail.Builder b = org.mailcert.proto.v1.CertificateDetail.newBuilder()
                    .setName(d.name())
                    .addAllVersions(d.versions().stream().map(ProtoMapper::certificate).toList())
                    .addAllUsedBy(bindings(d.usedBy()));
            if (requests != null) {
                requests.status(d.name()).ifPresent(o -> b.setAcme(ProtoMapper.acme(o)));
            }
            return b.build();
        });
    }

    @Override
    public void addIssuer(AddIssuerRequest r, StreamObserver<Issuer> out) {
        unary("AddIssuer", out, c -> ProtoMapper.issuer(acme(issuers).add(c, ProtoMapper.issuerRequest(r))));
    }

    @Override
    public void listIssuers(ListIssuersRequest r, StreamObserver<ListIssuersResponse> out) {
        unary("ListIssuers", out, c -> ListIssuersResponse.newBuilder()
                .addAllIssuers(acme(issuers).list().stream().map(ProtoMapper::issuer).toList()).build());
    }

    @Override
    public void requestCertificate(RequestCertificateRequest r, StreamObserver<RequestCertificateResponse> out) {
        unary("RequestCertificate", out, c -> {
            OrderOutcome o = acme(requests).request(c, r.getName(), r.getDomainsList(), r.getIssuer(), r.getKeyType(),
                    r.getProfile());
            RequestCertificateResponse.Builder b = RequestCertificateResponse.newBuilder().setAcme(ProtoMapper.acme(o.order()));
            o.issued().ifPresent(i -> b.setCertificate(ProtoMapper.certificate(i.certificate())));
            return b.build();
        });
    }

    @Override
    public void requestHostBundle(RequestHostBundleRequest r, StreamObserver<RequestCertificateResponse> out) {
        unary("RequestHostBundle", out, c -> {
            BundleService.Outcome o = acme(bundles).request(c, r.getHost(), r.getName(), r.getIssuer(),
                    r.getKeyType(), r.getMaxNames(), r.getReplace());
            RequestCertificateResponse.Builder b = RequestCertificateResponse.newBuilder()
                    .setAcme(ProtoMapper.acme(o.order().order()))
                    .addAllUncoveredDomains(o.uncovered())
                    .addAllWarnings(o.warnings());
            o.order().issued().ifPresent(i -> b.setCertificate(ProtoMapper.certificate(i.certificate())));
            return b.build();
        });
    }

    private static <T> T acme(T service) throws ControllerException {
        if (service == null) {
            throw ControllerException.unavailable("ACME is not configured in this controller");
        }
        return service;
    }

    @Override
    public void deleteCertificate(DeleteCertificateRequest r, StreamObserver<DeleteCertificateResponse> out) {
        unary("DeleteCertificate", out, c -> DeleteCertificateResponse.newBuilder()
                .setVersionsDeleted(certificates.delete(c, r.getName())).build());
    }

    @Override
    public void bind(BindRequest r, StreamObserver<BindResponse> out) {
        unary("Bind", out, c -> {
            BindResult res = bindings.bind(c, r.getHost(), ProtoMapper.scope(r.getScope()), r.getDomain(),
                    r.getCertificate());
            return BindResponse.newBuilder().setBinding(binding(res.binding()))
                    .setReplaced(res.replaced()).build();
        });
    }

    @Override
    public void unbind(UnbindRequest r, StreamObserver<UnbindResponse> out) {
        unary("Unbind", out, c -> UnbindResponse.newBuilder()
                .setRemoved(ProtoMapper.binding(bindings.unbind(c, r.getHost(), ProtoMapper.scope(r.getScope()),
                        r.getDomain()), "removed"))
                .build());
    }

    @Override
    public void listBindings(ListBindingsRequest r, StreamObserver<ListBindingsResponse> out) {
        unary("ListBindings", out, c -> ListBindingsResponse.newBuilder()
                .addAllBindings(bindings(bindings.list(r.getHost()))).build());
    }

    @Override
    public void getClientSettings(GetClientSettingsRequest r, StreamObserver<ClientSettings> out) {
        unary("GetClientSettings", out, c -> {
            var list = clientSettings.forDomain(r.getDomain());
            return ClientSettings.newBuilder()
                    .setDomain(org.mailcert.controller.Names.domain(r.getDomain()))
                    .addAllHosts(list.stream().map(ProtoMapper::clientSettings).toList())
                    .build();
        });
    }

    @Override
    public void getFleetStatus(GetFleetStatusRequest r, StreamObserver<FleetStatus> out) {
        unary("GetFleetStatus", out, c -> ProtoMapper.fleetStatus(
                drift.status(Duration.ofSeconds(r.getExpiringWithinSeconds()))));
    }

    @Override
    public void listDrift(ListDriftRequest r, StreamObserver<ListDriftResponse> out) {
        unary("ListDrift", out, c -> ListDriftResponse.newBuilder()
                .addAllItems(drift.drift(r.getHost()).stream().map(ProtoMapper::driftItem).toList()).build());
    }

    @Override
    public void listExpiring(ListExpiringRequest r, StreamObserver<ListExpiringResponse> out) {
        unary("ListExpiring", out, c -> {
            Duration within = Duration.ofSeconds(r.getWithinSeconds());
            var list = drift.expiring(within);
            return ListExpiringResponse.newBuilder()
                    .addAllCertificates(list.stream().map(ProtoMapper::expiring).toList())
                    .setWithinSeconds(DriftService.window(within).toSeconds())
                    .build();
        });
    }

    @Override
    public void listEvents(ListEventsRequest r, StreamObserver<ListEventsResponse> out) {
        unary("ListEvents", out, c -> ListEventsResponse.newBuilder()
                .addAllEvents(events.list(hostFilter(r.getHost()), r.getAfterSeq(), r.getLimit()).stream()
                        .map(ProtoMapper::event).toList())
                .build());
    }

    @Override
    public void watchEvents(ListEventsRequest r, StreamObserver<Event> out) {
        ServerCallStreamObserver<Event> stream = (ServerCallStreamObserver<Event>) out;
        String host;
        try {
            host = hostFilter(r.getHost());
        } catch (ControllerException e) {
            out.onError(Statuses.of("WatchEvents", e));
            return;
        }
        long after = r.getAfterSeq();
        if (after == 0 && r.getLimit() > 0) {
            // Start with the newest `limit` events, like `mailcert events`, then follow.
            var recent = events.list(host, 0, r.getLimit());
            after = recent.isEmpty() ? events.lastSeq() : recent.get(0).seq() - 1;
        }
        EventFeed.Subscription sub = events.subscribe(host, after, e -> {
            synchronized (stream) {
                if (!stream.isCancelled()) {
                    stream.onNext(ProtoMapper.event(e));
                }
            }
        });
        stream.setOnCancelHandler(sub::cancel);
        Context.current().addListener(ctx -> sub.cancel(), Runnable::run);
    }

    @Override
    public void createAdminToken(CreateAdminTokenRequest r, StreamObserver<CreateAdminTokenResponse> out) {
        unary("CreateAdminToken", out, c -> {
            AdminTokens.Created t = adminTokens.create(c, r.getName(), ProtoMapper.role(r.getRole()));
            return CreateAdminTokenResponse.newBuilder().setToken(t.token())
                    .setInfo(ProtoMapper.adminToken(t.info())).build();
        });
    }

    @Override
    public void listAdminTokens(ListAdminTokensRequest r, StreamObserver<ListAdminTokensResponse> out) {
        unary("ListAdminTokens", out, c -> ListAdminTokensResponse.newBuilder()
                .addAllTokens(adminTokens.list().stream().map(ProtoMapper::adminToken).toList()).build());
    }

    @Override
    public void revokeAdminToken(RevokeAdminTokenRequest r, StreamObserver<RevokeAdminTokenResponse> out) {
        unary("RevokeAdminToken", out, c -> {
            adminTokens.revoke(c, r.getName());
            return RevokeAdminTokenResponse.getDefaultInstance();
        });
    }

    private org.mailcert.proto.v1.Binding binding(org.mailcert.controller.model.Binding b) {
        return ProtoMapper.binding(b, states.of(b));
    }

    private java.util.List<org.mailcert.proto.v1.Binding> bindings(java.util.List<org.mailcert.controller.model.Binding> list) {
        java.util.List<String> s = states.of(list);
        java.util.List<org.mailcert.proto.v1.Binding> out = new java.util.ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            out.add(ProtoMapper.binding(list.get(i), s.get(i)));
        }
        return out;
    }

    private static String hostFilter(String raw) throws ControllerException {
        return raw == null || raw.isEmpty() ? "" : org.mailcert.controller.Names.host(raw);
    }
}
