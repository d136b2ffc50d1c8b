package org.mailcert.controller.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.mailcert.common.pki.Pem;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.enroll.AgentIdentity;
import org.mailcert.controller.enroll.Enrolled;
import org.mailcert.controller.enroll.EnrollmentService;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.store.ReportMapper;
import org.mailcert.controller.sync.AgentHello;
import org.mailcert.controller.sync.BindingSpec;
import org.mailcert.controller.sync.MaterialSpec;
import org.mailcert.controller.sync.StateUpdate;
import org.mailcert.controller.sync.StreamSink;
import org.mailcert.controller.sync.SyncHub;
import org.mailcert.controller.sync.SyncSession;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.AppliedBinding;
import org.mailcert.proto.v1.BindingError;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.EnrollRequest;
import org.mailcert.proto.v1.EnrollResponse;
import org.mailcert.proto.v1.Hello;
import org.mailcert.proto.v1.Material;
import org.mailcert.proto.v1.RenewResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent API as a thin adapter: Enroll, and the Sync stream mapped onto a {@link SyncSession}.
 * Identity comes from {@link AgentAuthInterceptor}.
 */
public final class AgentGrpcService extends AgentServiceGrpc.AgentServiceImplBase {
    private static final Logger log = LoggerFactory.getLogger(AgentGrpcService.class);

    private final EnrollmentService enrollment;
    private final SyncHub hub;

    public AgentGrpcService(EnrollmentService enrollment, SyncHub hub) {
        this.enrollment = enrollment;
        this.hub = hub;
    }

    /** This service wrapped with the agent identity check. */
    public io.grpc.ServerServiceDefinition withAuth() {
        return io.grpc.ServerInterceptors.intercept(this, new AgentAuthInterceptor(enrollment));
    }

    @Override
    public void enroll(EnrollRequest r, StreamObserver<EnrollResponse> out) {
        try {
            Enrolled e = enrollment.enroll(r.getToken(), r.getCsr().toByteArray(), ProtoMapper.facts(r.getFacts()));
            out.onNext(EnrollResponse.newBuilder()
                    .setHost(e.host())
                    .setHostId(e.hostId())
                    .setCertificatePem(Pem.certificates(List.of(e.certificate())))
                    .setCaPem(Pem.certificates(List.of(e.ca())))
                    .setNotAfter(ProtoMapper.timestamp(e.certificate().getNotAfter().toInstant()))
                    .build());
            out.onCompleted();
        } catch (ControllerException | RuntimeException e) {
            out.onError(Statuses.of("Enroll", e));
        }
    }

    @Override
    public StreamObserver<AgentMessage> sync(StreamObserver<ControllerMessage> out) {
        Host host = AgentAuthInterceptor.HOST.get();
        AgentIdentity identity = AgentAuthInterceptor.IDENTITY.get();
        GrpcSink sink = new GrpcSink((ServerCallStreamObserver<ControllerMessage>) out, hub);
        SyncSession session = hub.open(host, sink);
        try {
            enrollment.confirm(identity);
        } catch (ControllerException e) {
            session.close(e);
        }
        return new StreamObserver<>() {
            @Override
            public void onNext(AgentMessage m) {
                try {
                    switch (m.getKindCase()) {
                        case HELLO -> hello(m.getHello());
                        case ACK -> session.ack(m.getAck().getVersion(), m.getAck().getNonce());
                        case NACK -> session.nack(m.getNack().getVersion(), m.getNack().getNonce(), nackMessage(m));
                        case REPORT -> session.report(ReportMapper.fromProto(m.getReport()));
                        case FACTS -> session.facts(ProtoMapper.facts(m.getFacts()));
                        case RENEW -> {
                            Enrolled e = enrollment.renew(identity, m.getRenew().getCsr().toByteArray());
                            sink.renewed(RenewResponse.newBuilder()
                                    .setCertificatePem(Pem.certificates(List.of(e.certificate())))
                                    .setNotAfter(ProtoMapper.timestamp(e.certificate().getNotAfter().toInstant()))
                                    .build());
                        }
                        default -> throw ControllerException.invalid("empty agent message");
                    }
                } catch (ControllerException | RuntimeException e) {
                    if (!(e instanceof ControllerException)) {
                        log.error("stream {} of {}: failed", session.streamId(), host.fqdn(), e);
                    }
                    session.close(e instanceof ControllerException ce ? ce
                            : ControllerException.internal("internal error in the controller", e));
                }
            }

            private void hello(Hello h) throws ControllerException {
                if (!h.getHost().equals(host.fqdn())) {
                    throw ControllerException.permissionDenied("Hello names host " + h.getHost()
                            + " but this agent's certificate is for " + host.fqdn());
                }
                Map<String, String> applied = new HashMap<>();
                for (AppliedBinding b : h.getAppliedList()) {
                    applied.put(b.getId(), b.getLeafSha256());
                }
                Set<String> held = new HashSet<>(h.getHeldSha256List());
                hub.hello(session, new AgentHello(h.getHost(), h.getAgentVersion(), ProtoMapper.facts(h.getFacts()),
                        h.getAppliedVersion(), applied, held));
            }

            @Override
            public void onError(Throwable t) {
                hub.closed(session);
            }

            @Override
            public void onCompleted() {
                hub.closed(session);
                sink.complete();
            }
        };
    }

    private static String nackMessage(AgentMessage m) {
        StringBuilder b = new StringBuilder(m.getNack().getMessage());
        for (BindingError e : m.getNack().getErrorsList()) {
            b.append(b.length() == 0 ? "" : "; ").append(e.getId()).append(": ").append(e.getMessage());
        }
        return b.toString();
    }

    /** Serialises writes to one stream and maps domain pages to proto. */
    private static final class GrpcSink implements StreamSink {
        private final ServerCallStreamObserver<ControllerMessage> stream;
        private final SyncHub hub;
        private boolean done;

        GrpcSink(ServerCallStreamObserver<ControllerMessage> stream, SyncHub hub) {
            this.stream = stream;
            this.hub = hub;
        }

        @Override
        public synchronized void send(StateUpdate page) {
            if (done || stream.isCancelled()) {
                return;
            }
            DesiredState.Builder b = DesiredState.newBuilder()
                    .setVersion(page.version())
                    .setNonce(page.nonce())
                    .setFull(page.full())
                    .addAllRemovedIds(page.removed())
                    .setPage(page.page())
                    .setLast(page.last());
            for (BindingSpec s : page.upserted()) {
                b.addUpserted(DesiredBinding.newBuilder()
                        .setId(s.id())
                        .setScope(ProtoMapper.scope(s.scope()))
                        .setDomain(s.domain())
                        .setServedName(s.servedName())
                        .setCertificate(s.certificate())
                        .setCertificateVersion(s.certificateVersion())
                        .setLeafSha256(s.leafSha256()));
            }
            for (MaterialSpec m : page.materials()) {
                b.addMaterials(Material.newBuilder().setLeafSha256(m.leafSha256()).setChainPem(m.chainPem())
                        .setKeyPem(m.keyPem()));
            }
            ControllerMessage message = ControllerMessage.newBuilder().setState(b).build();
            stream.onNext(message);
            hub.sent(message.getSerializedSize(), page.last());
        }

        synchronized void renewed(RenewResponse r) {
            if (!done && !stream.isCancelled()) {
                stream.onNext(ControllerMessage.newBuilder().setRenewed(r).build());
            }
        }

        @Override
        public synchronized void close(ControllerException reason) {
            if (!done) {
                done = true;
                if (!stream.isCancelled()) {
                    stream.onError(Statuses.of("Sync", reason));
                }
            }
        }

        synchronized void complete() {
            if (!done) {
                done = true;
                if (!stream.isCancelled()) {
                    stream.onCompleted();
                }
            }
        }
    }
}
