package org.mailcert.controller.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.enroll.AgentIdentity;
import org.mailcert.controller.enroll.EnrollmentService;
import org.mailcert.controller.model.Host;
import org.mailcert.proto.v1.AgentServiceGrpc;

/**
 * Establishes which host an agent call comes from: the TLS layer has verified the client
 * certificate against the controller CA; here its identity (URI SAN) and serial must be the
 * host's current one, and the host must not be revoked. Enroll needs no client certificate.
 */
final class AgentAuthInterceptor implements ServerInterceptor {
    static final Context.Key<Host> HOST = Context.key("mailcert-agent-host");
    static final Context.Key<AgentIdentity> IDENTITY = Context.key("mailcert-agent-identity");

    private final EnrollmentService enrollment;

    AgentAuthInterceptor(EnrollmentService enrollment) {
        this.enrollment = enrollment;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        if (call.getMethodDescriptor().getFullMethodName().equals(AgentServiceGrpc.getEnrollMethod().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        Optional<AgentIdentity> identity = peerIdentity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (identity.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription("an agent call needs the agent's client certificate"
                    + " (mailcert-agent enroll first)"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Host host;
        try {
            host = enrollment.authorize(identity.get());
        } catch (ControllerException e) {
            call.close(Statuses.of("agent", e).getStatus(), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Context ctx = Context.current().withValue(HOST, host).withValue(IDENTITY, identity.get());
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    private static Optional<AgentIdentity> peerIdentity(SSLSession session) {
        if (session == null) {
            return Optional.empty();
        }
        try {
            Certificate[] peer = session.getPeerCertificates();
            if (peer.length == 0 || !(peer[0] instanceof X509Certificate leaf)) {
                return Optional.empty();
            }
            return AgentIdentity.of(leaf);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
