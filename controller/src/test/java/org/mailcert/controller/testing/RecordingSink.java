package org.mailcert.controller.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.HostFacts;
import org.mailcert.controller.model.SniSupport;
import org.mailcert.controller.sync.AgentHello;
import org.mailcert.controller.sync.StateUpdate;
import org.mailcert.controller.sync.StreamSink;
import org.mailcert.controller.sync.SyncHub;
import org.mailcert.controller.sync.SyncSession;

/** A stream's output kept for a test: the pages sent, and why it was closed if it was. */
public final class RecordingSink implements StreamSink {
    private final BlockingQueue<StateUpdate> sent = new LinkedBlockingQueue<>();
    private volatile ControllerException closed;

    /** Opens a stream of {@code host} on the hub into a new sink and says Hello as an agent holding nothing. */
    public static SyncSession hello(SyncHub hub, Host host, RecordingSink sink) throws ControllerException {
        SyncSession session = hub.open(host, sink);
        hub.hello(session, new AgentHello(host.fqdn(), "test",
                new HostFacts("Debian 12", "test", Map.of(), SniSupport.YES), 0, Map.of(), Set.of()));
        return session;
    }

    @Override
    public void send(StateUpdate page) {
        sent.add(page);
    }

    @Override
    public void close(ControllerException reason) {
        closed = reason;
    }

    /** The next page sent, waiting up to 10 s; fails the test if none comes. */
    public StateUpdate next() throws InterruptedException {
        StateUpdate u = sent.poll(10, TimeUnit.SECONDS);
        assertNotNull(u, "no update was sent" + (closed == null ? "" : "; stream closed: " + closed.getMessage()));
        return u;
    }

    /** Why the controller closed the stream, if it did. */
    public Optional<ControllerException> closed() {
        return Optional.ofNullable(closed);
    }
}
