package org.mailcert.agent.target.dovecot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Choosing the validation, the small file of changed blocks, and reading the config process's limit. */
class DovecotValidationTest {
    private static final Path DIR = Path.of("/var/lib/mailcert-agent/dovecot");
    private static final String S = "1".repeat(64);
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String OURS = IncludeFile.HEADER + "\n";

    private static Served served(String pattern, String sha, String id) {
        return new Served(Optional.ofNullable(pattern), sha, id, DIR.resolve(sha.substring(0, 16) + ".fullchain.pem"),
                DIR.resolve(sha.substring(0, 16) + ".key.pem"));
    }

    @Test
    void fewerNamesThanTheThresholdAreValidatedWhole() {
        assertEquals(new Validation.Choice(true, Validation.Reason.SMALL_CONFIGURATION),
                Validation.choose(Syntax.V2_3, 999, 1000, OURS, true, false));
    }

    @Test
    void theFirstApplyOrAForeignIncludeIsValidatedWhole() {
        assertEquals(Validation.Reason.FIRST_APPLY, Validation.choose(Syntax.V2_3, 5000, 1000, null, false, false).reason());
        assertEquals(Validation.Reason.FIRST_APPLY,
                Validation.choose(Syntax.V2_3, 5000, 1000, "ssl_cert = <x\n", true, false).reason());
    }

    @Test
    void anIncludeNotProvenServedIsValidatedWhole() {
        assertEquals(new Validation.Choice(true, Validation.Reason.INCLUDE_NOT_PROVEN),
                Validation.choose(Syntax.V2_3, 5000, 1000, OURS, false, false));
    }

    @Test
    void editingTheAdminsFilesOrDovecot24IsValidatedWhole() {
        assertEquals(Validation.Reason.ADMIN_FILES_EDITED,
                Validation.choose(Syntax.V2_3, 5000, 1000, OURS, true, true).reason());
        assertEquals(Validation.Reason.DOVECOT_2_4, Validation.choose(Syntax.V2_4, 5000, 1000, OURS, true, false).reason());
    }

    @Test
    void aLargeProvenIncludeOfOursValidatesOnlyTheChanges() {
        assertEquals(new Validation.Choice(false, Validation.Reason.CHANGES_ONLY),
                Validation.choose(Syntax.V2_3, 5000, 1000, OURS, true, false));
    }

    @Test
    void theSmallFileHoldsTheDefaultAndExactlyTheAddedOrChangedBlocks() {
        String old = IncludeFile.render(Syntax.V2_3, List.of(served(null, S, "server"),
                served("mail.a.example", A, "mail/a.example"), served("mail.b.example", A, "mail/b.example")), true);
        List<Served> now = List.of(served(null, S, "server"), served("mail.a.example", A, "mail/a.example"),
                served("mail.b.example", B, "mail/b.example"), served("mail.c.example", B, "mail/c.example"));
        assertEquals(List.of("mail.b.example", "mail.c.example"),
                Validation.changedBlocks(now, old).stream().map(Served::slot).toList());
        String small = Validation.smallConfig(Syntax.V2_3, now, old, true);
        assertTrue(small.contains("\nssl = yes\n"), small);
        assertTrue(small.contains("\nssl_cert = <" + DIR + "/" + S.substring(0, 16) + ".fullchain.pem\n"), small);
        // b and c share one certificate, so one block.
        assertTrue(small.contains("local_name \"mail.b.example mail.c.example\" {\n  ssl_cert = <" + DIR + "/"
                + B.substring(0, 16) + ".fullchain.pem\n  ssl_key = <" + DIR + "/" + B.substring(0, 16)
                + ".key.pem\n}\n"), small);
        assertFalse(small.contains("mail.a.example"), small);
    }

    @Test
    void readsTheConfigProcessLimitAsDoveconfPrintsIt() {
        String unset = "service config {\n  unix_listener config {\n    mode = 0600\n  }\n"
                + "  vsz_limit = 18446744073709551615 B\n}\nservice imap {\n  vsz_limit = 1 G\n}\n"
                + "default_vsz_limit = 256 M\n";
        ConfigVszLimit limit = ConfigVszLimit.parse(unset).orElseThrow();
        assertEquals(256L << 20, limit.bytes());
        assertTrue(limit.below(DovecotSettings.LARGE_VSZ_LIMIT));
        assertEquals("256 MB", limit.describe());
        assertEquals(Optional.of(new ConfigVszLimit(2L << 30)),
                ConfigVszLimit.parse("service config {\n  vsz_limit = 2 G\n}\ndefault_vsz_limit = 256 M\n"));
        assertEquals(Optional.of(new ConfigVszLimit(1L << 30)),
                ConfigVszLimit.parse(unset.replace("256 M", "1 G")), "an admin's default_vsz_limit");
        ConfigVszLimit unlimited = ConfigVszLimit.parse("service config {\n  vsz_limit = 0\n}\n").orElseThrow();
        assertFalse(unlimited.below(DovecotSettings.LARGE_VSZ_LIMIT));
        assertEquals("unlimited", unlimited.describe());
        assertEquals(Optional.empty(), ConfigVszLimit.parse("protocols = imap\n"));
    }
}
