package org.mailcert.agent.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.agent.testing.TestBindings;
import org.mailcert.agent.testing.TestStatus;
import org.mailcert.common.testing.TestPki;
import org.mailcert.proto.v1.DesiredBinding;

class StatusStoreTest {
    @TempDir
    Path data;

    @Test
    void theStatusFileRoundTripsAndIsPrivate() throws Exception {
        StatusStore store = new StatusStore(data);
        assertEquals(Optional.empty(), store.load());

        store.save(TestStatus.sample());

        assertEquals(TestStatus.sample(), store.load().orElseThrow());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        String json = Files.readString(store.file());
        assertTrue(json.contains("\"connection\": \"connected\""), json);
        assertTrue(json.contains("\"applied_version\": 11"), json);
    }

    @Test
    void aDamagedStatusFileSaysSo() throws Exception {
        StatusStore store = new StatusStore(data);
        Files.createDirectories(store.file().getParent());
        Files.writeString(store.file(), "{\"host\": 1");
        StateException e = assertThrows(StateException.class, store::load);
        assertTrue(e.getMessage().contains("is damaged"), e.getMessage());
    }

    @Test
    void theAppliedStateRoundTripsAsAFullDesiredStateInAPrivateFile() throws Exception {
        TestPki.Leaf leaf = TestBindings.leaf("mx1.example.com");
        DesiredBinding server = TestBindings.desired("server", "mx1.example.com", leaf);
        AppliedState state = new AppliedState(4, "n4", Map.of("server", server),
                Map.of(TestBindings.sha(leaf), TestBindings.material(leaf)));
        StateStore store = new StateStore(data);
        assertEquals(AppliedState.EMPTY, store.load());

        store.save(state);

        assertEquals(state, store.load());
        assertTrue(store.load().toProto().getFull());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file().getParent())));
        assertTrue(!state.toString().contains("PRIVATE KEY"), "toString never shows keys");
    }

    @Test
    void aDamagedStateFileSaysWhatToDo() throws Exception {
        StateStore store = new StateStore(data);
        Files.createDirectories(store.file().getParent());
        Files.write(store.file(), new byte[] {(byte) 0xff, 0x01, 0x02});
        StateException e = assertThrows(StateException.class, store::load);
        assertTrue(e.getMessage().contains("delete it"), e.getMessage());
    }
}
