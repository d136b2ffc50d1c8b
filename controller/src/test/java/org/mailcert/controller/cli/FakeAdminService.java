package org.mailcert.controller.cli;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailcert.proto.v1.AdminServiceGrpc;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.BindResponse;
import org.mailcert.proto.v1.CertificateDetail;
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
 * A fake AdminService: records every request (and the deadline it came with) and answers with the
 * canned reply or error set for that method name; a method with nothing canned answers UNIMPLEMENTED.
 */
final class FakeAdminService extends AdminServiceGrpc.AdminServiceImplBase {
    /** One request as the server saw it. */
    record Call(String method, Message request, Deadline deadline) {
    }

    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Object> replies = new ConcurrentHashMap<>();
    private final Map<String, List<Event>> streams = new ConcurrentHashMap<>();
    private volatile Status failAll;

    /** Answers {@code method} (e.g. "ListHosts") with {@code reply}. */
    FakeAdminService reply(String method, Message reply) {
        replies.put(method, reply);
        return this;
    }

    /** Fails {@code method} with {@code status}. */
    FakeAdminService fail(String method, Status status) {
        replies.put(method, status);
        return this;
    }

    /** Fails every call with {@code status}. */
    FakeAdminService failAll(Status status) {
        this.failAll = status;
        return this;
    }

    /** WatchEvents sends these events, then completes. */
    FakeAdminService watch(List<Event> events) {
        streams.put("WatchEvents", events);
        return this;
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** The only recorded call; fails the test if there was not exactly one. */
    Call onlyCall() {
        if (calls.size() != 1) {
            throw new AssertionError("expected one call, got " + calls);
        }
        return calls.get(0);
    }

    /** The request of the only recorded call, as its type. */
    <T extends Message> T onlyRequest(Class<T> type) {
        return type.cast(onlyCall().request());
    }

    @SuppressWarnings("unchecked")
    private <R> void unary(String method, Message request, StreamObserver<R> observer) {
        calls.add(new Call(method, request, Context.current().getDeadline()));
        Object reply = failAll != null ? failAll : replies.get(method);
        if (reply == null) {
            observer.onError(Status.UNIMPLEMENTED.withDescription("nothing canned for " + method).asRuntimeException());
        } else if (reply instanceof Status status) {
            observer.onError(status.asRuntimeException());
        } else {
            observer.onNext((R) reply);
            observer.onCompleted();
        }
    }

    @Override
    public void createJoinToken(CreateJoinTokenRequest request, StreamObserver<CreateJoinTokenResponse> observer) {
        unary("CreateJoinToken", request, observer);
    }

    @Override
    public void listHosts(ListHostsRequest request, StreamObserver<ListHostsResponse> observer) {
        unary("ListHosts", request, observer);
    }

    @Override
    public void getHost(GetHostRequest request, StreamObserver<HostDetail> observer) {
        unary("GetHost", request, observer);
    }

    @Override
    public void importCertificate(ImportCertificateRequest request, StreamObserver<ImportCertificateResponse> observer) {
        unary("ImportCertificate", request, observer);
    }

    @Override
    public void listCertificates(ListCertificatesRequest request, StreamObserver<ListCertificatesResponse> observer) {
        unary("ListCertificates", request, observer);
    }

    @Override
    public void getCertificate(GetCertificateRequest request, StreamObserver<CertificateDetail> observer) {
        unary("GetCertificate", request, observer);
    }

    @Override
    public void deleteCertificate(DeleteCertificateRequest request, StreamObserver<DeleteCertificateResponse> observer) {
        unary("DeleteCertificate", request, observer);
    }

    @Override
    public void addIssuer(org.mailcert.proto.v1.AddIssuerRequest request,
            StreamObserver<org.mailcert.proto.v1.Issuer> observer) {
        unary("AddIssuer", request, observer);
    }

    @Override
    public void listIssuers(org.mailcert.proto.v1.ListIssuersRequest request,
            StreamObserver<org.mailcert.proto.v1.ListIssuersResponse> observer) {
        unary("ListIssuers", request, observer);
    }

    @Override
    public void requestCertificate(org.mailcert.proto.v1.RequestCertificateRequest request,
            StreamObserver<org.mailcert.proto.v1.RequestCertificateResponse> observer) {
        unary("RequestCertificate", request, observer);
    }

    @Override
    public void requestHostBundle(org.mailcert.proto.v1.RequestHostBundleRequest request,
            StreamObserver<org.mailcert.proto.v1.RequestCertificateResponse> observer) {
        unary("RequestHostBundle", request, observer);
    }

    @Override
    public void bind(BindRequest request, StreamObserver<BindResponse> observer) {
        unary("Bind", request, observer);
    }

    @Override
    public void unbind(UnbindRequest request, StreamObserver<UnbindResponse> observer) {
        unary("Unbind", request, observer);
    }

    @Override
    public void listBindings(ListBindingsRequest request, StreamObserver<ListBindingsResponse> observer) {
        unary("ListBindings", request, observer);
    }

    @Override
    public void getClientSettings(GetClientSettingsRequest request, StreamObserver<ClientSettings> observer) {
        unary("GetClientSettings", request, observer);
    }

    @Override
    public void getFleetStatus(GetFleetStatusRequest request, StreamObserver<FleetStatus> observer) {
        unary("GetFleetStatus", request, observer);
    }

    @Override
    public void listDrift(ListDriftRequest request, StreamObserver<ListDriftResponse> observer) {
        unary("ListDrift", request, observer);
    }

    @Override
    public void listExpiring(ListExpiringRequest request, StreamObserver<ListExpiringResponse> observer) {
        unary("ListExpiring", request, observer);
    }

    @Override
    public void listEvents(ListEventsRequest request, StreamObserver<ListEventsResponse> observer) {
        unary("ListEvents", request, observer);
    }

    @Override
    public void watchEvents(ListEventsRequest request, StreamObserver<Event> observer) {
        calls.add(new Call("WatchEvents", request, Context.current().getDeadline()));
        Object failure = failAll != null ? failAll : replies.get("WatchEvents");
        if (failure instanceof Status status) {
            observer.onError(status.asRuntimeException());
            return;
        }
        streams.getOrDefault("WatchEvents", List.of()).forEach(observer::onNext);
        observer.onCompleted();
    }

    @Override
    public void createAdminToken(CreateAdminTokenRequest request, StreamObserver<CreateAdminTokenResponse> observer) {
        unary("CreateAdminToken", request, observer);
    }

    @Override
    public void listAdminTokens(ListAdminTokensRequest request, StreamObserver<ListAdminTokensResponse> observer) {
        unary("ListAdminTokens", request, observer);
    }

    @Override
    public void revokeAdminToken(RevokeAdminTokenRequest request, StreamObserver<RevokeAdminTokenResponse> observer) {
        unary("RevokeAdminToken", request, observer);
    }
}
