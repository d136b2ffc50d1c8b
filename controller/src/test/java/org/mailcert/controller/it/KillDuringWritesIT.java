package org.mailcert.controller.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.testing.ControllerProcess;
import org.mailcert.proto.v1.CreateJoinTokenRequest;
import org.mailcert.proto.v1.GetHostRequest;
import org.mailcert.proto.v1.ListHostsRequest;

/**
 * An acknowledged write survives {@code kill -9}: writers stream host declarations into a real
 * controller process, which is killed mid-stream; after a restart every acknowledged host is
 * there and the revision has not gone back.
 */
class KillDuringWritesIT {
    private static final int WRITERS = 4;

    @TempDir
    Path tmp;

    @Test
    void everyAcknowledgedWriteSurvivesSigkill() throws Exception {
        Path dataDir = tmp.resolve("controller");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        CountDownLatch enough = new CountDownLatch(200);

        ControllerProcess first = new ControllerProcess(dataDir).start();
        var admin = first.admin();
        Thread[] writers = new Thread[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            int id = w;
            writers[w] = new Thread(() -> {
                for (int i = 0; i < 100_000; i++) {
                    String host = "w" + id + "-h" + i + ".example.net";
                    try {
                        admin.withDeadlineAfter(10, TimeUnit.SECONDS)
                                .createJoinToken(CreateJoinTokenRequest.newBuilder().setHost(host).build());
                    } catch (StatusRuntimeException e) {
                        return; // the controller is gone; this write was not acknowledged
                    }
                    acked.add(host);
                    enough.countDown();
                }
            }, "writer-" + w);
            writers[w].start();
        }
        assertTrue(enough.await(120, TimeUnit.SECONDS), "writers made too little progress");
        first.kill9();
        for (Thread t : writers) {
            t.join(30_000);
        }
        int ackedCount = acked.size();

        try (ControllerProcess second = new ControllerProcess(dataDir).start()) {
            var hosts = second.admin().listHosts(ListHostsRequest.getDefaultInstance()).getHostsList();
            Set<String> stored = hosts.stream().map(h -> h.getFqdn()).collect(Collectors.toSet());
            long highestStored = hosts.stream().mapToLong(h -> h.getDesiredVersion()).max().orElse(0);
            Set<String> lost = acked.stream().filter(h -> !stored.contains(h)).collect(Collectors.toSet());
            assertEquals(Set.of(), lost, "acknowledged writes lost after kill -9 (of " + ackedCount + ")");
            // A write after the restart gets a revision above anything acknowledged before.
            second.admin().createJoinToken(CreateJoinTokenRequest.newBuilder().setHost("after.example.net").build());
            long after = second.admin().getHost(GetHostRequest.newBuilder().setHost("after.example.net").build())
                    .getHost().getDesiredVersion();
            assertTrue(after > highestStored, "revision reused: " + after + " <= " + highestStored);
            assertTrue(second.revision() >= after);
        }
    }
}
