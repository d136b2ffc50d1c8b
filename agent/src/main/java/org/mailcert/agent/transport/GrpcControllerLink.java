package org.mailcert.agent.transport;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.mailcert.agent.identity.Identity;
import org.mailcert.agent.sync.ControllerLink;
import org.mailcert.agent.sync.StreamFailure;
import org.mailcert.common.net.ControllerAddress;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.ControllerMessage;

/**
 * Sync streams over gRPC: one channel per stream (its credentials are the identity of that stream),
 * shut down when the stream closes. Stream endings are sorted by {@link Failures}.
 */
public final class GrpcControllerLink implements ControllerLink {
    private final ChannelFactory channels;

    /** Opens each stream's channel through {@code channels}. */
    public GrpcControllerLink(ChannelFactory channels) {
        this.channels = Objects.requireNonNull(channels, "channels");
    }

    @Override
    public Stream open(Identity identity, Listener listener) {
        ControllerAddress address = identity.settings().controller();
        ManagedChannel channel;
        try {
            channel = channels.open(identity);
        } catch (RuntimeException e) {
            listener.onClosed(new StreamFailure(StreamFailure.Kind.RETRY, "cannot set up the channel to the"
                    + " controller at " + address + ": " + e.getMessage()));
            return new Stream() {
                @Override
                public void send(AgentMessage message) {
                }

                @Override
                public void close(String reason) {
                }
            };
        }
        Responses responses = new Responses(listener, address);
        StreamObserver<AgentMessage> requests = AgentServiceGrpc.newStub(channel).sync(responses);
        return new Stream() {
            @Override
            public void send(AgentMessage message) {
                try {
                    requests.onNext(message);
                } catch (RuntimeException e) {
                    // The call has ended; the listener hears why through onError.
                }
            }

            @Override
            public void close(String reason) {
                responses.closed.set(true);
                ClientCallStreamObserver<AgentMessage> call = responses.call;
                if (call != null) {
                    call.cancel(reason, null);
                }
                channel.shutdownNow();
            }
        };
    }

    /** Passes messages on and reports the end once, unless the agent closed the stream itself. */
    private static final class Responses implements ClientResponseObserver<AgentMessage, ControllerMessage> {
        final AtomicBoolean closed = new AtomicBoolean();
        private final Listener listener;
        private final ControllerAddress address;
        volatile ClientCallStreamObserver<AgentMessage> call;

        Responses(Listener listener, ControllerAddress address) {
            this.listener = listener;
            this.address = address;
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<AgentMessage> requestStream) {
            this.call = requestStream;
        }

        @Override
        public void onNext(ControllerMessage message) {
            if (!closed.get()) {
                listener.onMessage(message);
            }
        }

        @Override
        public void onError(Throwable t) {
            if (closed.compareAndSet(false, true)) {
                listener.onClosed(Failures.stream(Status.fromThrowable(t), address));
            }
        }

        @Override
        public void onCompleted() {
            if (closed.compareAndSet(false, true)) {
                listener.onClosed(Failures.closedByController(address));
            }
        }
    }
}
