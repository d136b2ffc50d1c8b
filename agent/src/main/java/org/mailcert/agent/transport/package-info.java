/**
 * The gRPC side of the agent: TLS channels to the controller (pinned for enrollment, mTLS with the
 * identity for Sync, keepalive agreeing with the controller's permit), the Enroll call, the Sync
 * stream behind {@link org.mailcert.agent.sync.ControllerLink}, and the one place where gRPC
 * statuses are sorted into what the agent does next.
 */
package org.mailcert.agent.transport;
