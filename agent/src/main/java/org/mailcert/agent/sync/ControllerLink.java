package org.mailcert.agent.sync;

import org.mailcert.agent.identity.Identity;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.ControllerMessage;

/** Opens Sync streams to the controller; the transport layer implements it over gRPC with mTLS. */
public interface ControllerLink {

    /**
     * Opens a stream authenticated by {@code identity}. Never throws: a stream that cannot be opened
     * reports {@link Listener#onClosed} instead.
     */
    Stream open(Identity identity, Listener listener);

    /** The agent's side of one open stream. Called from one thread at a time. */
    interface Stream {
        /** Sends one message; a failure to send surfaces as {@link Listener#onClosed}. */
        void send(AgentMessage message);

        /** Ends the stream and releases its connection; the listener hears nothing more after this. */
        void close(String reason);
    }

    /** Receives what the controller sends, on a transport thread. */
    interface Listener {
        /** One message from the controller. */
        void onMessage(ControllerMessage message);

        /** The stream ended, sorted by what to do next; called at most once. */
        void onClosed(StreamFailure failure);
    }
}
