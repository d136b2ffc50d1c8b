/**
 * What the mail-server targets (Postfix, Dovecot, qmail, Courier) share: versioned certificate
 * files, the SNI names a binding serves, the live check that the right certificate is served, and
 * the test-only pause at a named step.
 */
package org.mailcert.agent.target.mail;
