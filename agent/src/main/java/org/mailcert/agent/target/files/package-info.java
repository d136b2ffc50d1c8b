/**
 * The {@code files} target: PEM files in a directory for software mailcert does not drive itself
 * ({@code DIR/live/<served-name>/fullchain.pem}, {@code privkey.pem}, {@code cert.pem}, {@code
 * chain.pem}), laid out as certbot does, plus an optional command run after a change.
 */
package org.mailcert.agent.target.files;
