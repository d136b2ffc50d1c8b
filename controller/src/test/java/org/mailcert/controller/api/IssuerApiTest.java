package org.mailcert.controller.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.acme.AcmeException;
import org.mailcert.controller.acme.DnsSolver;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.issuers.AcmeCounters;
import org.mailcert.controller.issuers.FakeAcmeCa;
import org.mailcert.controller.issuers.IssuerService;
import org.mailcert.controller.issuers.RenewalPolicy;
import org.mailcert.controller.issuers.RequestService;
import org.mailcert.controller.model.Role;
import org.mailcert.controller.testing.Controllers;
import org.mailcert.proto.v1.AddIssuerRequest;
import org.mailcert.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub;
import org.mailcert.proto.v1.CertificateDetail;
import org.mailcert.proto.v1.CertificateSource;
import org.mailcert.proto.v1.CreateAdminTokenRequest;
import org.mailcert.proto.v1.GetCertificateRequest;
import org.mailcert.proto.v1.Issuer;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.ListIssuersRequest;
import org.mailcert.proto.v1.RequestCertificateRequest;
import org.mailcert.proto.v1.RequestCertificateResponse;
import org.mailcert.proto.v1.Rfc2136Solver;

/** AddIssuer, ListIssuers and RequestCertificate over in-process gRPC, with a fake CA. */
class IssuerApiTest {
    static final String TSIG = "c2VjcmV0LXRzaWcta2V5LWJ5dGVzLTEyMzQ1Njc4OTA=";
    static final String EAB = "ZWFiLWhtYWMta2V5LXZhbHVlLTEyMzQ1Njc4OTAtYWJj";

    @TempDir
    Path dir;
    Controllers c;
    FakeAcmeCa ca;
    InProcessAdmin api;
    String admin;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        ca = new FakeAcmeCa(c.pki, c.clock);
        IssuerService issuers = new IssuerService(c.store, ca);
        DnsSolver solver = new DnsSolver() {
            @Override
            public void present(Record record) {
            }

            @Override
            public void cleanup(Record record) {
            }

            @Override
            public String describe() {
                return "fake";
            }
        };
        RequestService requests = new RequestService(c.store, issuers, ca, (i, s) -> solver, c.certificates,
                new RenewalPolicy(new Random(1)), new AcmeCounters(), c.clock);
        admin = c.adminTokens.create(Caller.CONTROLLER, "admin", Role.ADMIN).token();
        api = new InProcessAdmin(c, issuers, requests);
    }

    @AfterEach
    void tearDown() throws Exception {
        api.close();
        c.close();
    }

    private String token(String name, org.mailcert.proto.v1.Role role) {
        return api.as(admin).createAdminToken(CreateAdminTokenRequest.newBuilder().setName(name).setRole(role).build())
                .getToken();
    }

    static AddIssuerRequest add(String name) {
        return AddIssuerRequest.newBuilder()
                .setName(name)
                .setDirectoryUrl("https://acme.test/directory")
                .setEmail("admin@example.com")
                .setEabKid("kid-1")
                .setEabHmac(EAB)
                .setDns(org.mailcert.proto.v1.DnsSolver.newBuilder().setRfc2136(Rfc2136Solver.newBuilder()
                        .setServer("ns1.example.net:53").setTsigKeyName("k").setTsigSecret(TSIG)))
                .build();
    }

    @Test
    void anAdminAddsAViewerListsAndNoSecretComesBack() {
        Issuer added = api.as(admin).addIssuer(add("le"));
        assertEquals("registered", added.getAccountState());
        assertEquals("hmac-sha256", added.getDns().getRfc2136().getTsigAlgorithm());
        assertEquals("", added.getDns().getRfc2136().getTsigSecret());

        String viewer = token("viewer", org.mailcert.proto.v1.Role.ROLE_VIEWER);
        var listed = api.as(viewer).listIssuers(ListIssuersRequest.getDefaultInstance());
        assertEquals(1, listed.getIssuersCount());
        String events = api.as(admin).listEvents(ListEventsRequest.getDefaultInstance()).toString();
        assertTrue(events.contains("issuer.registered"), events);
        for (String shown : new String[] {added.toString(), listed.toString(), events}) {
            assertFalse(shown.contains(TSIG) || shown.contains(EAB), shown);
        }
    }

    @Test
    void rolesAreEnforced() {
        String operator = token("op", org.mailcert.proto.v1.Role.ROLE_OPERATOR);
        String viewer = token("viewer", org.mailcert.proto.v1.Role.ROLE_VIEWER);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.as(operator).addIssuer(add("le")));
        assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
        StatusRuntimeException r = assertThrows(StatusRuntimeException.class, () -> api.as(viewer).requestCertificate(
                RequestCertificateRequest.newBuilder().setName("x").addDomains("example.com").build()));
        assertEquals(Status.Code.PERMISSION_DENIED, r.getStatus().getCode());
        assertTrue(c.store.issuers().isEmpty());
    }

    @Test
    void anOperatorRequestsAndCertShowCarriesTheAcmeStatus() {
        api.as(admin).addIssuer(add("le"));
        String operator = token("op", org.mailcert.proto.v1.Role.ROLE_OPERATOR);

        RequestCertificateResponse response = api.as(operator).requestCertificate(RequestCertificateRequest.newBuilder()
                .setName("wild").addDomains("*.example.com").addDomains("example.com").build());

        assertEquals(CertificateSource.CERTIFICATE_SOURCE_ACME, response.getCertificate().getSource());
        assertEquals("issued", response.getAcme().getLastResult());
        CertificateDetail shown = api.as(operator).getCertificate(GetCertificateRequest.newBuilder().setName("wild").build());
        assertEquals("le", shown.getAcme().getIssuer());
        assertEquals("a third of the lifetime left", shown.getAcme().getNextReason());
    }

    @Test
    void anOperatorRequestsAHostBundleWhichIsBoundServerWideAndAViewerMayNot() throws Exception {
        api.as(admin).addIssuer(add("le"));
        c.declareHost("mx1.example.net");
        c.markEnrolled("mx1.example.net");
        c.setFacts("mx1.example.net", Controllers.factsOf(java.util.List.of("b.example", "a.example", "c.example")));
        String operator = token("op", org.mailcert.proto.v1.Role.ROLE_OPERATOR);
        String viewer = token("viewer", org.mailcert.proto.v1.Role.ROLE_VIEWER);
        org.mailcert.proto.v1.RequestHostBundleRequest request = org.mailcert.proto.v1.RequestHostBundleRequest
                .newBuilder().setHost("mx1.example.net").setMaxNames(3).build();

        StatusRuntimeException denied = assertThrows(StatusRuntimeException.class,
                () -> api.as(viewer).requestHostBundle(request));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());

        RequestCertificateResponse response = api.as(operator).requestHostBundle(request);
        assertEquals(java.util.List.of("mx1.example.net", "mail.a.example", "mail.b.example"),
                response.getAcme().getDomainsList());
        assertEquals("mx1.example.net", response.getAcme().getBundleHost());
        assertEquals(java.util.List.of("c.example"), response.getUncoveredDomainsList());
        assertEquals(1, response.getWarningsCount());
        assertEquals("bundle-mx1.example.net", c.store.binding(new org.mailcert.controller.model.BindingKey(
                "mx1.example.net", org.mailcert.controller.model.Scope.SERVER, "")).orElseThrow().certificate());
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> api.as(operator)
                .requestHostBundle(request.toBuilder().setHost("nope.example.net").build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
    }

    @Test
    void aFailedRequestIsAnErrorAndIsRecorded() {
        api.as(admin).addIssuer(add("le"));
        ca.orderFailures.add(new AcmeException(AcmeException.Kind.CA_REFUSED, "urn:ietf:params:acme:error:rejectedIdentifier"));

        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.as(admin).requestCertificate(
                RequestCertificateRequest.newBuilder().setName("wild").addDomains("example.com").build()));

        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("(ca_refused)"), e.getStatus().getDescription());
        assertEquals("ca_refused", c.store.acmeOrder("wild").orElseThrow().errorKind());
    }

    @Test
    void hostileDomainsAreInvalidArgument() {
        api.as(admin).addIssuer(add("le"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> api.as(admin).requestCertificate(
                RequestCertificateRequest.newBuilder().setName("wild").addDomains("example.com\r\nX-Injected: 1").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(ca.orders.isEmpty());
    }
}
