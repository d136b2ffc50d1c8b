/**
 * What the agent keeps on disk under {@code <data-dir>/state/} (directory 0700, files 0600, each
 * replaced atomically):
 * <ul>
 *   <li>{@code applied.pb}: the last applied and acknowledged state, a binary {@code
 *       mailcert.v1.DesiredState} message (the wire message reused as the file format) with {@code
 *       full = true}, {@code last = true}, {@code page = 0}; {@code version} and {@code nonce} of the
 *       acknowledged state; {@code upserted} = every applied binding; {@code materials} = the chain
 *       and private key of every leaf those bindings use, and nothing else. Holds private keys.
 *   <li>{@code status.json}: what {@code mailcert-agent status} shows: connection and since when,
 *       last error, desired and applied version, each binding's state. Rewritten by {@code run}
 *       whenever it changes.
 * </ul>
 */
package org.mailcert.agent.state;
