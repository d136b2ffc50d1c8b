/**
 * The {@code postfix} target: versioned key/chain files, the server-wide {@code
 * smtpd_tls_chain_files}, a managed {@code tls_server_sni_maps} map built with {@code postmap -F},
 * validated with Postfix's own tools, switched in one {@code postconf -e}, reloaded and proven by
 * live handshakes; plus what Postfix on this host serves (version, TLS endpoints, mail domains).
 */
package org.mailcert.agent.target.postfix;
