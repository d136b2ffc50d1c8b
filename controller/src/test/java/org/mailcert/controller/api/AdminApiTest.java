package org.mailcert.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.common.enroll.JoinTokenValue;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.BindRequest;
import org.mailcert.proto.v1.CreateAdminTokenRequest;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.GetClientSettingsRequest;
import org.mailcert.proto.v1.ImportCertificateRequest;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.ListHostsRequest;
import org.mailcert.proto.v1.RevokeAdminTokenRequest;
import org.mailcert.proto.v1.Scope;

/** The admin API in process: authentication, roles, mapping of errors, the event feed. */
class AdminApiTest {
    @TempDir
    Path dir;
    Controllers c;
    InProcessAdmin api;
    String adminToken;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        adminToken = c.adminTokens.create(Caller.CONTROLLER, "admin", Role.ADMIN).token();
        api = new InProcessAdmin(c);
    }

    @AfterEach
    void tearDown() throws Exception {
        api.close();
        c.close();
    }

    private AdminServiceBlockingStub as(String token) {
        return api.as(token);
    }

    private String token(String name, org.mailcert.proto.v1.Role role) {
        return as(adminToken).createAdminToken(CreateAdminTokenRequest.newBuilder().setName(name).setRole(role).build())
                .getToken();
    }

    @Test
    void aCallWithoutTokenIsUnauthenticated() {
        var e = assertThrows(StatusRuntimeException.class, () -> as(null).listHosts(ListHostsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("--token-file"));
        var wrong = assertThrows(StatusRuntimeException.class,
                () -> as("mca1.not-a-real-token").listHosts(ListHostsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, wrong.getStatus().getCode());
    }

    @Test
    void aViewerReadsButCannotChangeAnything() throws Exception {
        String viewer = token("dash", org.mailcert.proto.v1.Role.ROLE_VIEWER);
        long revision = c.store.revision();
        as(viewer).listHosts(ListHostsRequest.getDefaultInstance());
        as(viewer).listEvents(ListEventsRequest.getDefaultInstance());
        var writes = new java.util.ArrayList<Runnable>();
        writes.add(() -> as(viewer).createJoinToken(CreateJoinTokenRequest.newBuilder().setHost("a.example").build()));
        writes.add(() -> as(viewer).importCertificate(ImportCertificateRequest.newBuilder().setName("x")
                .setChainPem(ByteString.copyFromUtf8("x")).build()));
        writes.add(() -> as(viewer).bind(BindRequest.newBuilder().setHost("a.example").setScope(Scope.SCOPE_SERVER)
                .setCertificate("x").build()));
        writes.add(() -> as(viewer).createAdminToken(CreateAdminTokenRequest.newBuilder().setName("evil")
                .setRole(org.mailcert.proto.v1.Role.ROLE_ADMIN).build()));
        for (Runnable w : writes) {
            var e = assertThrows(StatusRuntimeException.class, w::run);
            assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode(), e.getStatus().toString());
        }
        assertEquals(revision, c.store.revision(), "a viewer changed the store");
    }

    @Test
    void anOperatorChangesCertificatesButNotTokens() {
        String op = token("ops", org.mailcert.proto.v1.Role.ROLE_OPERATOR);
        var issued = as(op).createJoinToken(CreateJoinTokenRequest.newBuilder().setHost("MX1.Example.NET.").build());
        assertEquals("mx1.example.net", issued.getHost());
        assertTrue(issued.getHostCreated());
        assertEquals(issued.getCaSha256(), JoinTokenValue.parse(issued.getToken()).caSha256Hex());
        var e = assertThrows(StatusRuntimeException.class, () -> as(op).revokeAdminToken(
                RevokeAdminTokenRequest.newBuilder().setName("admin").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    }

    @Test
    void theLastAdminTokenCannotBeRevoked() {
        var e = assertThrows(StatusRuntimeException.class, () -> as(adminToken).revokeAdminToken(
                RevokeAdminTokenRequest.newBuilder().setName("admin").build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    @Test
    void aRevokedTokenStopsWorking() {
        String op = token("ops", org.mailcert.proto.v1.Role.ROLE_OPERATOR);
        as(adminToken).revokeAdminToken(RevokeAdminTokenRequest.newBuilder().setName("ops").build());
        var e = assertThrows(StatusRuntimeException.class, () -> as(op).listHosts(ListHostsRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    }

    @Test
    void domainErrorsBecomeStatusesWithTheirMessage() {
        var invalid = assertThrows(StatusRuntimeException.class, () -> as(adminToken).createJoinToken(
                CreateJoinTokenRequest.newBuilder().setHost("../../etc").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, invalid.getStatus().getCode());
        assertTrue(invalid.getStatus().getDescription().contains("'/'"), invalid.getStatus().getDescription());
        var notFound = assertThrows(StatusRuntimeException.class, () -> as(adminToken).getClientSettings(
                GetClientSettingsRequest.newBuilder().setDomain("example.com").build()));
        assertEquals(Status.Code.NOT_FOUND, notFound.getStatus().getCode());
        var badScope = assertThrows(StatusRuntimeException.class, () -> as(adminToken).bind(
                BindRequest.newBuilder().setHost("a.example").setCertificate("x").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, badScope.getStatus().getCode());
    }

    @Test
    void theEventFeedDeliversPastAndNewEventsInOrder() throws Exception {
        as(adminToken).createJoinToken(CreateJoinTokenRequest.newBuilder().setHost("a.example.net").build());
        var async = as(adminToken).withDeadlineAfter(10, TimeUnit.SECONDS);
        Iterator<Event> it = async.watchEvents(ListEventsRequest.getDefaultInstance());
        // Past: the admin token creation, host declared, join token created.
        assertEquals("admin-token.created", it.next().getKind());
        assertEquals("host.declared", it.next().getKind());
        assertEquals("join-token.created", it.next().getKind());
        as(adminToken).createJoinToken(CreateJoinTokenRequest.newBuilder().setHost("b.example.net").build());
        Event next = it.next();
        assertEquals("host.declared", next.getKind());
        assertEquals("b.example.net", next.getHost());
        assertFalse(next.getActor().isEmpty());
    }
}
