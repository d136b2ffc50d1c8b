/**
 * The Sync client loop: connect with the identity, say Hello (applied version, applied bindings,
 * held material), assemble DesiredState pages, merge full or delta onto the applied state, hand the
 * complete set to the targets, persist it, then Ack (or Nack having kept the last good state).
 * Reconnects with exponential back-off and full jitter, renews the client certificate at about
 * half its life (two-phase), and keeps enforcing the persisted state while the controller is away.
 *
 * <p>Nothing here touches gRPC: the stream is a {@link org.mailcert.agent.sync.ControllerLink}, time
 * is an injected {@link java.time.Clock} and a {@link org.mailcert.agent.sync.Scheduler}.
 */
package org.mailcert.agent.sync;
