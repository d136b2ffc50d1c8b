/**
 * The {@code qmail} target: the server-wide {@code control/servercert.pem} (key, leaf and chain in
 * one file, read by qmail-smtpd on each connection) and, where sagredo's SNI patch is present, the
 * per-name {@code control/servercerts/<name>/servercert.pem} files.
 */
package org.mailcert.agent.target.qmail;
