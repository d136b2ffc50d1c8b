package org.mailcert.agent.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.security.cert.X509Certificate;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.Hello;

/**
 * A scripted controller: each Sync stream the agent opens is handed to the test, which reads what
 * the agent sent and decides what the controller answers.
 */
final class FakeController extends AgentServiceGrpc.AgentServiceImplBase {
    /** The client certificate of the call, when an interceptor put it there (mTLS tests). */
    static final Context.Key<X509Certificate> PEER = Context.key("peer-certificate");
    private static final long WAIT_SECONDS = 10;

    private final BlockingQueue<FakeStream> streams = new LinkedBlockingQueue<>();

    @Override
    public StreamObserver<AgentMessage> sync(StreamObserver<ControllerMessage> responses) {
        FakeStream stream = new FakeStream(responses, PEER.get());
        streams.add(stream);
        return stream.requests;
    }

    /** The next stream the agent opens. */
    FakeStream nextStream() throws InterruptedException {
        FakeStream s = streams.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        assertNotNull(s, "the agent opened no stream within " + WAIT_SECONDS + " s");
        return s;
    }

    /** Whether the agent opened a stream within the time. */
    boolean streamOpenedWithin(long millis) throws InterruptedException {
        FakeStream s = streams.poll(millis, TimeUnit.MILLISECONDS);
        return s != null;
    }

    /** The controller's end of one Sync stream. */
    static final class FakeStream {
        private final StreamObserver<ControllerMessage> responses;
        private final BlockingQueue<AgentMessage> received = new LinkedBlockingQueue<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        final X509Certificate peer;
        final StreamObserver<AgentMessage> requests = new StreamObserver<>() {
            @Override
            public void onNext(AgentMessage message) {
                received.add(message);
            }

            @Override
            public void onError(Throwable t) {
                ended.countDown();
            }

            @Override
            public void onCompleted() {
                ended.countDown();
            }
        };

        FakeStream(StreamObserver<ControllerMessage> responses, X509Certificate peer) {
            this.responses = responses;
            this.peer = peer;
        }

        /** The next message from the agent. */
        AgentMessage next() throws InterruptedException {
            AgentMessage m = received.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            assertNotNull(m, "the agent sent nothing within " + WAIT_SECONDS + " s");
            return m;
        }

        /** The next message from the agent that is not a drift report (an agent process sends those too). */
        AgentMessage nextIgnoringReports() throws InterruptedException {
            while (true) {
                AgentMessage m = next();
                if (m.getKindCase() != AgentMessage.KindCase.REPORT) {
                    return m;
                }
            }
        }

        /** The next message from the agent within {@code millis}, or null. */
        AgentMessage poll(long millis) throws InterruptedException {
            return received.poll(millis, TimeUnit.MILLISECONDS);
        }

        /** The agent's first message, which must be Hello. */
        Hello hello() throws InterruptedException {
            AgentMessage m = next();
            assertEquals(AgentMessage.KindCase.HELLO, m.getKindCase(), m.toString());
            return m.getHello();
        }

        /** Sends one message. */
        synchronized void send(ControllerMessage message) {
            responses.onNext(message);
        }

        /** Sends DesiredState pages. */
        void send(DesiredState... pages) {
            for (DesiredState page : pages) {
                send(ControllerMessage.newBuilder().setState(page).build());
            }
        }

        /** Ends the stream with an error status. */
        synchronized void fail(Status status) {
            responses.onError(status.asRuntimeException());
        }

        /** Whether the agent ended the stream (cancelled or completed) within the time. */
        boolean endedByAgentWithin(long millis) throws InterruptedException {
            return ended.await(millis, TimeUnit.MILLISECONDS);
        }
    }
}
