package org.mailcert.controller.sync;

import org.mailcert.controller.ControllerException;

/** Where a session's output goes: the gRPC adapter implements it over the stream. */
public interface StreamSink {
    /** Sends one page. Must not block on a slow peer. */
    void send(StateUpdate page);

    /** Ends the stream with an error the agent can act on. */
    void close(ControllerException reason);
}
