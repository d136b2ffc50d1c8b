/**
 * The {@code dovecot} target: the server-wide certificate and a {@code local_name} block per
 * certificate, listing the SNI names it serves, in one managed include, validated with {@code doveconf -x} (at large configurations only the
 * changed blocks), switched atomically (after an interim include that raises the config process's
 * memory limit, when a large include needs it), reloaded with {@code doveadm reload} and proven by
 * live handshakes, the first with a deadline that grows with the configuration, with a rollback on
 * any failure.
 */
package org.mailcert.agent.target.dovecot;
