package org.mailcert.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.state.AppliedState;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;

class PageAssemblerTest {
    private static DesiredBinding b(String id, String sha) {
        return DesiredBinding.newBuilder().setId(id).setLeafSha256(sha).build();
    }

    private static DesiredState page(long version, int page, boolean last, String... ids) {
        DesiredState.Builder s = DesiredState.newBuilder().setVersion(version).setNonce("n" + version).setFull(true)
                .setPage(page).setLast(last);
        for (String id : ids) {
            s.addUpserted(b(id, "aa"));
        }
        return s.build();
    }

    @Test
    void pagesAreJoinedUntilTheLastOne() {
        PageAssembler a = new PageAssembler("mx1");
        assertTrue(a.add(page(3, 0, false, "server")).isEmpty());
        assertTrue(a.add(page(3, 1, false, "mail/a")).isEmpty());
        DesiredState whole = a.add(page(3, 2, true, "mail/b")).orElseThrow();
        assertEquals(List.of("server", "mail/a", "mail/b"), whole.getUpsertedList().stream().map(
                DesiredBinding::getId).toList());
        assertEquals(3, whole.getVersion());
        assertTrue(whole.getFull());
    }

    @Test
    void aNewVersionBeforeTheLastPageDiscardsThePartialOne() {
        PageAssembler a = new PageAssembler("mx1");
        a.add(page(3, 0, false, "server"));
        DesiredState whole = a.add(page(4, 0, true, "mail/a")).orElseThrow();
        assertEquals(4, whole.getVersion());
        assertEquals(1, whole.getUpsertedCount());
    }

    @Test
    void aFullStateReplacesAndADeltaAppliesOntoWhatIsApplied() {
        AppliedState applied = new AppliedState(5, "n5", Map.of("server", b("server", "s1"), "mail/a", b("mail/a",
                "a1")), Map.of());
        DesiredState full = DesiredState.newBuilder().setFull(true).addUpserted(b("mail/b", "b1")).build();
        assertEquals(List.of("mail/b"), List.copyOf(DesiredSets.merge(applied, full).keySet()));

        DesiredState delta = DesiredState.newBuilder().setFull(false).addUpserted(b("server", "s2"))
                .addRemovedIds("mail/a").addRemovedIds("unknown").build();
        Map<String, DesiredBinding> merged = DesiredSets.merge(applied, delta);
        assertEquals(List.of("server"), List.copyOf(merged.keySet()));
        assertEquals("s2", merged.get("server").getLeafSha256());
    }
}
