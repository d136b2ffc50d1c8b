package org.mailcert.controller.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A harness per test, and checks shared by the command tests. */
abstract class CommandTestBase {
    @TempDir
    Path dir;

    CliHarness cli;

    @BeforeEach
    void startHarness() throws Exception {
        cli = new CliHarness(dir);
    }

    @AfterEach
    void stopHarness() throws Exception {
        cli.close();
    }

    /** Runs and asserts exit 0 with nothing on stderr. */
    CliHarness.Result ok(String... args) {
        CliHarness.Result r = cli.run(args);
        assertEquals(0, r.exit(), () -> "stderr: " + r.err());
        return r;
    }

    /** The JSON output parses back into exactly the message the server sent. */
    static void assertJsonIs(Message expected, String json) {
        Message.Builder parsed = expected.newBuilderForType();
        try {
            JsonFormat.parser().merge(json, parsed);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError("not JSON of " + expected.getDescriptorForType().getName() + ": " + json, e);
        }
        assertEquals(expected, parsed.build());
    }
}
