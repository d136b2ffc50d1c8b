package org.mailcert.controller.issuers;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** An {@link AcmeHarness} per test, in a temp dir. */
abstract class AcmeTestBase {
    @TempDir
    Path dir;
    AcmeHarness h;

    @BeforeEach
    void startHarness() throws Exception {
        h = new AcmeHarness(dir);
    }

    @AfterEach
    void stopHarness() {
        h.close();
    }
}
