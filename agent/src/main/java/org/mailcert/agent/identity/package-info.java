/**
 * The agent's identity: one-time enrollment with a join token (pinning the controller CA on first
 * contact), the stored key and client certificate under {@code <data-dir>/identity/}, the
 * two-phase renewal files, and how the controller's TLS certificate is judged.
 *
 * <p>Layout: {@code <data-dir>/} (0700) holds {@code agent.yaml} (controller address, host, host id)
 * and {@code identity/} (0700) with {@code agent.key} (PKCS#8 PEM, 0600), {@code agent.pem} (client
 * certificate), {@code ca.pem} (controller CA) and, during a renewal, {@code next.key} and {@code
 * next.pem}.
 */
package org.mailcert.agent.identity;
