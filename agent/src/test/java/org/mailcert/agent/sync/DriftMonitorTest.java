package org.mailcert.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** How a report is kept small on a host where everything drifts. */
class DriftMonitorTest {
    @Test
    void aShortListIsKeptAsItIs() {
        List<Integer> items = List.of(3, 1, 2);
        assertSame(items, DriftMonitor.bounded(items, i -> i));
    }

    @Test
    void aLongListKeepsTheMostUrgentItemsInTheirOrder() {
        List<Integer> items = new ArrayList<>(IntStream.range(0, DriftMonitor.MAX_ITEMS + 500).map(i -> 3).boxed()
                .toList());
        items.add(0);
        items.add(1);
        List<Integer> kept = DriftMonitor.bounded(items, i -> i);
        assertEquals(DriftMonitor.MAX_ITEMS, kept.size());
        assertEquals(List.of(0, 1, 3), kept.subList(0, 3), "repair failures first, then would-change, then the rest");
    }
}
