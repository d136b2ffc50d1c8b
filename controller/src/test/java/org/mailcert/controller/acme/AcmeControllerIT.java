package org.mailcert.controller.acme;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.testing.BindInstance;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.controller.testing.PebbleInstance;

/**
 * The whole ACME path as an admin drives it: a controller process, Pebble validating against a
 * real BIND 9, `mailcert issuer add` with an RFC 2136 solver and a tsig-keygen key file, then
 * `mailcert cert request` for a wildcard, its apex and the mail name, and `cert show` with the
 * ACME status. The TSIG secret is never printed.
 */
class AcmeControllerIT {
    @TempDir
    Path tmp;

    private BindInstance bind;
    private PebbleInstance pebble;
    private ControllerProcess controller;

    @BeforeEach
    void start() throws Exception {
        bind = BindInstance.start(tmp.resolve("bind"));
        pebble = PebbleInstance.start(Map.of(), Optional.of(bind.address()));
        controller = new ControllerProcess(tmp.resolve("controller"), "--acme-dns-server", bind.address()).start();
    }

    @AfterEach
    void stop() throws Exception {
        if (controller != null) {
            controller.stop();
        }
        if (pebble != null) {
            pebble.close();
        }
        if (bind != null) {
            bind.close();
        }
    }

    @Test
    void anAdminAddsAnIssuerAndRequestsACertificateThatIsIssuedThroughDynamicDns() throws Exception {
        String secret = Base64.getEncoder().encodeToString(bind.secret());
        Path key = tmp.resolve("tsig.key");
        Files.writeString(key, "key \"" + BindInstance.KEY_NAME + "\" {\n\talgorithm hmac-sha256;\n\tsecret \""
                + secret + "\";\n};\n");
        Path ca = tmp.resolve("pebble-ca.pem");
        Files.writeString(ca, pebble.tlsCaPem());

        ControllerProcess.CliResult added = controller.cli("issuer", "add", "pebble", "--directory",
                pebble.directory().toString(), "--email", "admin@example.test", "--directory-ca", ca.toString(),
                "--dns", "rfc2136", "--dns-server", bind.address(), "--tsig-key-file", key.toString());
        assertEquals(0, added.exit(), added.output());
        assertFalse(added.output().contains(secret), "the TSIG secret is never printed");

        ControllerProcess.CliResult list = controller.cli("issuer", "list");
        assertEquals(0, list.exit(), list.output());
        assertTrue(list.output().contains("registered"), list.output());

        ControllerProcess.CliResult requested = controller.cli("cert", "request", "wild", "--domains",
                "*.example.test,example.test,mail.example.test", "--issuer", "pebble");
        assertEquals(0, requested.exit(), requested.output());

        ControllerProcess.CliResult shown = controller.cli("cert", "show", "wild", "--output", "json");
        assertEquals(0, shown.exit(), shown.output());
        for (String expected : List.of("*.example.test", "mail.example.test", "\"issuer\": \"pebble\"", "issued")) {
            assertTrue(shown.output().contains(expected), "cert show has " + expected + ":\n" + shown.output());
        }
        assertEquals(List.of(), bind.txt("_acme-challenge.example.test."), "the records were removed");
        ControllerProcess.CliResult events = controller.cli("events");
        assertTrue(events.output().contains("acme.issued"), events.output());
    }
}
