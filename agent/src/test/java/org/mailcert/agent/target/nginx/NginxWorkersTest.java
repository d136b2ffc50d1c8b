package org.mailcert.agent.target.nginx;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading nginx's workers from a {@code /proc} tree: which accept, and waiting for old ones to retire. */
class NginxWorkersTest {
    @TempDir
    Path proc;

    private void process(long pid, long parent, String title) throws Exception {
        Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
        Files.writeString(dir.resolve("stat"), pid + " (nginx) S " + parent + " 100 100 0 -1 4194624 0 0", UTF_8);
        byte[] padded = new byte[64];
        byte[] text = title.getBytes(UTF_8);
        System.arraycopy(text, 0, padded, 0, text.length);
        Files.write(dir.resolve("cmdline"), padded);
    }

    @Test
    void onlyTheMastersChildrenThatStillAcceptAreWorkers() throws Exception {
        process(100, 1, "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf");
        process(101, 100, "nginx: worker process");
        process(102, 100, "nginx: worker process is shutting down");
        process(103, 100, "nginx: cache manager process");
        process(201, 200, "nginx: worker process");
        Files.createDirectories(proc.resolve("self"));

        assertEquals(Set.of(101L), new NginxWorkers(proc).accepting(100));
        assertEquals(Set.of(), new NginxWorkers(proc).accepting(999));
    }

    @Test
    void oldWorkersRetireWhenTheyShutDownOrExitAndTheWaitIsBounded() throws Exception {
        process(101, 100, "nginx: worker process");
        process(102, 100, "nginx: worker process");
        NginxWorkers workers = new NginxWorkers(proc);
        Set<Long> old = workers.accepting(100);

        process(103, 100, "nginx: worker process");
        assertFalse(workers.awaitRetired(100, old, Duration.ofMillis(50)), "both old ones still accept");
        process(101, 100, "nginx: worker process is shutting down");
        Files.walk(proc.resolve("102")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        assertTrue(workers.awaitRetired(100, old, Duration.ofMillis(50)), "a new worker (103) does not count");
    }

    @Test
    void thePidFileComesFromTheDumpOrNginxsDefault() throws Exception {
        assertEquals(Path.of("/srv/nginx/nginx.pid"), NginxWorkers.pidFile("# configuration file /srv/nginx.conf:\n"
                + "user www-data;\npid /srv/nginx/nginx.pid;\nevents {}\n"));
        assertEquals(NginxWorkers.DEFAULT_PID_FILE, NginxWorkers.pidFile("events {}\n"));
        Path pid = Files.writeString(proc.resolve("nginx.pid"), "4242\n", UTF_8);
        assertEquals(Optional.of(4242L), NginxWorkers.master(pid));
        assertEquals(Optional.empty(), NginxWorkers.master(proc.resolve("missing.pid")));
    }
}
