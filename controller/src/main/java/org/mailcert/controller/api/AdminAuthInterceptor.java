package org.mailcert.controller.api;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;
import org.mailcert.controller.auth.AdminTokens;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.model.Role;
import org.mailcert.proto.v1.AdminServiceGrpc;

/**
 * Authenticates admin calls by bearer token and enforces the role each method needs. Methods not
 * in the table need the admin role, so a new method is closed until it is listed.
 */
final class AdminAuthInterceptor implements ServerInterceptor {
    static final Context.Key<Caller> CALLER = Context.key("mailcert-caller");
    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final Map<String, Role> REQUIRED = Map.ofEntries(
            entry(AdminServiceGrpc.getListHostsMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getGetHostMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getListCertificatesMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getGetCertificateMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getListBindingsMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getGetClientSettingsMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getListEventsMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getWatchEventsMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getGetFleetStatusMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getListDriftMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getListExpiringMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getListIssuersMethod().getFullMethodName(), Role.VIEWER),
            entry(AdminServiceGrpc.getRequestCertificateMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getRequestHostBundleMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getCreateJoinTokenMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getRevokeHostMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getImportCertificateMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getDeleteCertificateMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getBindMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getUnbindMethod().getFullMethodName(), Role.OPERATOR),
            entry(AdminServiceGrpc.getCreateAdminTokenMethod().getFullMethodName(), Role.ADMIN),
            entry(AdminServiceGrpc.getListAdminTokensMethod().getFullMethodName(), Role.ADMIN),
            entry(AdminServiceGrpc.getRevokeAdminTokenMethod().getFullMethodName(), Role.ADMIN));

    private final AdminTokens tokens;

    AdminAuthInterceptor(AdminTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
            ServerCallHandler<Q, A> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        String header = headers.get(AUTHORIZATION);
        Optional<Caller> caller = Optional.empty();
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            caller = tokens.authenticate(header.substring(7).trim());
        }
        if (caller.isEmpty()) {
            call.close(Status.UNAUTHENTICATED.withDescription(header == null
                    ? "no admin token sent; give --token-file FILE (the first one is admin.token in the controller's data dir)"
                    : "the admin token was not recognised (revoked, or from another controller)"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        Role needed = REQUIRED.getOrDefault(method, Role.ADMIN);
        if (!caller.get().role().includes(needed)) {
            call.close(Status.PERMISSION_DENIED.withDescription("this needs the " + needed.name().toLowerCase()
                    + " role; your token (" + caller.get().actor() + ") has the "
                    + caller.get().role().name().toLowerCase() + " role"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return Contexts.interceptCall(Context.current().withValue(CALLER, caller.get()), call, headers, next);
    }

    private static Map.Entry<String, Role> entry(String method, Role role) {
        return Map.entry(method, role);
    }
}
