package org.mailcert.agent.target;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetSetTest {
    private final List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());

    /** A target that records what happens to it and can be told to fail. */
    private final class FakeTarget implements Target {
        private final String name;
        private final TargetException failure;
        private final boolean rollbackFails;

        FakeTarget(String name, TargetException failure, boolean rollbackFails) {
            this.name = name;
            this.failure = failure;
            this.rollbackFails = rollbackFails;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Change apply(List<Binding> desired) throws TargetException {
            events.add(name + " apply");
            if (failure != null) {
                throw failure;
            }
            return new Change() {
                @Override
                public ApplyReport report() {
                    return new ApplyReport(name, Map.of(), List.of());
                }

                @Override
                public void rollback() throws TargetException {
                    events.add(name + " rollback");
                    if (rollbackFails) {
                        throw new TargetException(name, "disk gone", Map.of(), false, null);
                    }
                }

                @Override
                public void commit() {
                    events.add(name + " commit");
                }
            };
        }
    }

    @Test
    void allTargetsApplyThenCommitTogether() throws Exception {
        TargetSet set = new TargetSet(List.of(new FakeTarget("a", null, false), new FakeTarget("b", null, false)));
        TargetSet.Transaction t = set.apply(List.of());
        assertEquals(java.util.Set.of("a apply", "b apply"), java.util.Set.copyOf(events), "applied at the same time");
        t.commit();
        assertEquals(List.of("a commit", "b commit"), events.subList(2, 4));
        assertEquals(List.of("a", "b"), t.reports().stream().map(ApplyReport::target).toList());
    }

    @Test
    void aFailingTargetRollsBackTheOthersLastFirst() {
        TargetException boom = new TargetException("c", "reload failed", Map.of("server", "bad key"));
        TargetSet set = new TargetSet(List.of(new FakeTarget("a", null, false), new FakeTarget("b", null, false),
                new FakeTarget("c", boom, false)));

        TargetException e = assertThrows(TargetException.class, () -> set.apply(List.of()));

        assertSame(boom, e);
        assertEquals(java.util.Set.of("a apply", "b apply", "c apply"), java.util.Set.copyOf(events.subList(0, 3)));
        assertEquals(List.of("b rollback", "a rollback"), events.subList(3, 5));
    }

    @Test
    void aFailedRollbackIsReportedAsNotRestored() {
        TargetSet set = new TargetSet(List.of(new FakeTarget("a", null, true),
                new FakeTarget("b", new TargetException("b", "reload failed", Map.of("server", "x")), false)));

        TargetException e = assertThrows(TargetException.class, () -> set.apply(List.of()));

        assertFalse(e.restored());
        assertTrue(e.getMessage().startsWith("b: reload failed"), e.getMessage());
        assertEquals(Map.of("server", "x"), e.bindingErrors());
    }

    @Test
    void targetsApplyAtTheSameTime() throws Exception {
        java.util.concurrent.CountDownLatch both = new java.util.concurrent.CountDownLatch(2);
        Target waiting = new Target() {
            @Override
            public String name() {
                return "waits-for-the-other";
            }

            @Override
            public Change apply(List<Binding> desired) throws TargetException {
                both.countDown();
                try {
                    if (!both.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
                        throw new TargetException(name(), "the other target never started: applied one after the other");
                    }
                } catch (InterruptedException e) {
                    throw new TargetException(name(), "interrupted");
                }
                return new FakeTarget(name(), null, false).apply(desired);
            }
        };
        Target other = new Target() {
            @Override
            public String name() {
                return "other";
            }

            @Override
            public Change apply(List<Binding> desired) throws TargetException {
                both.countDown();
                return new FakeTarget(name(), null, false).apply(desired);
            }
        };
        new TargetSet(List.of(waiting, other)).apply(List.of()).commit();
        assertEquals(0, both.getCount());
    }

    @Test
    void aFailingTargetDoesNotStopAnotherMidApplyButItIsRolledBack() {
        TargetSet set = new TargetSet(List.of(new FakeTarget("a", new TargetException("a", "bad"), false),
                new FakeTarget("b", null, false)));
        TargetException e = assertThrows(TargetException.class, () -> set.apply(List.of()));
        assertEquals("a", e.target());
        assertTrue(events.contains("b rollback"), events.toString());
    }

    @Test
    void whenSeveralTargetsFailTheNackCarriesEveryBindingError() {
        TargetSet set = new TargetSet(List.of(
                new FakeTarget("postfix", new TargetException("postfix", "reload failed", Map.of("mail/a", "bad")), false),
                new FakeTarget("dovecot", new TargetException("dovecot", "probe failed", Map.of("mail/a", "old",
                        "mail/b", "old")), false),
                new FakeTarget("files", null, false)));

        TargetException e = assertThrows(TargetException.class, () -> set.apply(List.of()));

        assertEquals("postfix", e.target());
        assertTrue(e.restored());
        assertEquals("postfix: reload failed; dovecot: probe failed", e.getMessage());
        assertEquals(Map.of("mail/a", "bad; dovecot: old", "mail/b", "dovecot: old"), e.bindingErrors());
        assertTrue(events.contains("files rollback"), events.toString());
    }

    @Test
    void aTransactionCanBeRolledBackAfterAllApplied() throws Exception {
        TargetSet set = new TargetSet(List.of(new FakeTarget("a", null, false), new FakeTarget("b", null, false)));
        assertTrue(set.apply(List.of()).rollback());
        assertEquals(List.of("b rollback", "a rollback"), events.subList(2, 4));
    }
}
