/**
 * Live TLS handshakes against the services of this host (SMTP, IMAP and POP3 with STARTTLS, and
 * implicit TLS), with or without SNI, to prove which certificate is actually served.
 */
package org.mailcert.agent.probe;
