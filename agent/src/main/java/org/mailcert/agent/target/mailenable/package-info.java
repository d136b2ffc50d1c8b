/**
 * The {@code mailenable} target: MailEnable's server-wide certificate (a registry value naming a
 * certificate in {@code Cert:\LocalMachine\My}), per-domain certificates only where a live SNI probe
 * proves MailEnable serves them, and a read-only mode where Plesk manages MailEnable.
 */
package org.mailcert.agent.target.mailenable;
