/**
 * The {@code courier} target: the files Courier's {@code TLS_CERTFILE} settings name (key and
 * certificate in one file, read by couriertls on each connection) and, where couriertls supports
 * SNI, the per-name files {@code $TLS_CERTFILE.<name>}.
 */
package org.mailcert.agent.target.courier;
