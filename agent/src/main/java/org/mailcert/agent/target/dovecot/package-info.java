/**
 * The {@code dovecot} target: the server-wide certificate and one {@code local_name} block per SNI
 * name in one managed include, validated with {@code doveconf -x}, switched atomically, reloaded
 * with {@code doveadm reload} and proven by live handshakes, with a rollback on any failure.
 */
package org.mailcert.agent.target.dovecot;
