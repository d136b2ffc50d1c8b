/**
 * Drift: what a host serves and has configured, compared with the desired state by a list of
 * small named checks, each with a {@link org.mailcert.agent.drift.Reason} and a message.
 */
package org.mailcert.agent.drift;
