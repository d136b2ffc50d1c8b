package org.mailcert.controller.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.mailcert.controller.testing.Reports.binding;
import static org.mailcert.controller.testing.Reports.report;

import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingConditions;
import org.mailcert.controller.model.DriftMode;
import org.mailcert.controller.model.HostStatus;
import org.mailcert.controller.model.RunOutcome;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.testing.Controllers;

/** Binding states from Acks, Nacks and the agent's last report. */
class BindingStatesTest {
    private static final String HOST = "mx1.example.net";
    private static final String ID = "mail/a.example";

    @TempDir
    Path dir;
    Controllers c;
    BindingStates states;
    Binding binding;
    long needed;
    String sha;

    @BeforeEach
    void setUp() throws Exception {
        c = new Controllers(dir);
        c.declareHost(HOST);
        c.setSni(HOST, SniSupport.YES);
        c.importLeaf("a", c.pki.leaf("mail.a.example").issue());
        binding = c.bindings.bind(Controllers.OPERATOR, HOST, Scope.MAIL, "a.example", "a").binding();
        needed = binding.revision();
        sha = Fingerprints.sha256Hex(c.store.certificate("a").orElseThrow().leaf());
        states = new BindingStates(c.store);
    }

    @AfterEach
    void tearDown() {
        c.close();
    }

    private void status(UnaryOperator<HostStatus> change) throws Exception {
        c.updateStatus(HOST, change);
    }

    private void reported(long appliedVersion, BindingConditions conditions) throws Exception {
        status(s -> s.reported(c.clock.instant(), report(appliedVersion, DriftMode.REPORT, RunOutcome.IN_SYNC,
                List.of(conditions))));
    }

    private String state() {
        return states.of(binding);
    }

    @Test
    void pendingUntilAckedFailedWhileRefused() throws Exception {
        assertEquals("pending", state());
        status(s -> s.refused(c.clock.instant(), "postfix check failed"));
        assertEquals("failed", state());
        status(s -> s.applied(c.clock.instant(), needed));
        assertEquals("installed", state());
    }

    @Test
    void servedWhenTheReportSaysSoForTheNewestLeaf() throws Exception {
        status(s -> s.applied(c.clock.instant(), needed));
        reported(needed, binding(ID, sha, "True", "True", needed));
        assertEquals("served", state());
        reported(needed, binding(ID, sha.toUpperCase(java.util.Locale.ROOT), "True", "True", needed));
        assertEquals("served", state(), "hex case does not matter");
        reported(needed, binding(ID, sha, "True", "False", needed));
        assertEquals("installed", state(), "installed but not (yet) proven served");
        reported(needed, binding("mail/other.example", sha, "True", "True", needed));
        assertEquals("installed", state(), "another binding's conditions do not count");
    }

    @Test
    void aServedOlderVersionIsNotServedAfterARenewal() throws Exception {
        status(s -> s.applied(c.clock.instant(), needed));
        reported(needed, binding(ID, sha, "True", "True", needed));
        var renewed = c.certificates.importCertificate(Controllers.OPERATOR, new org.mailcert.controller.certs
                .ImportRequest("a", c.pki.leaf("mail.a.example").issue().combinedPem()
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII), new byte[0], new byte[0], null, true));
        assertEquals(2, renewed.certificate().version().version());
        assertEquals("pending", state(), "the renewal is not acknowledged, and the old leaf is served");
    }

    @Test
    void failedWhenACoveringReportSaysItIsNotInstalled() throws Exception {
        status(s -> s.applied(c.clock.instant(), needed));
        reported(needed, binding(ID, "", "False", "False", needed));
        assertEquals("failed", state());
        reported(needed - 1, binding(ID, "", "False", "False", needed - 1));
        assertEquals("installed", state(), "a report from before the binding says nothing about it");
    }

    @Test
    void manyBindingsKeepTheirOrder() throws Exception {
        c.importLeaf("b", c.pki.leaf("mail.b.example").issue());
        Binding b = c.bindings.bind(Controllers.OPERATOR, HOST, Scope.MAIL, "b.example", "b").binding();
        status(s -> s.applied(c.clock.instant(), needed));
        reported(b.revision(), binding(ID, sha, "True", "True", b.revision()));
        assertEquals(List.of("pending", "served"), states.of(List.of(b, binding)));
    }
}
