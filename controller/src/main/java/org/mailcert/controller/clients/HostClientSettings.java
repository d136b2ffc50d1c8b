package org.mailcert.controller.clients;

import java.util.List;

/**
 * The names mail clients of one domain should use on one host, and why.
 *
 * @param imap       host name for IMAP (143/993)
 * @param pop3       host name for POP3 (110/995)
 * @param smtp       host name for SMTP submission (587/465)
 * @param webmailUrl URL of webmail, or empty when the host has no usable webmail name
 * @param reasons    one sentence per decision
 * @param warnings   what clients will still complain about
 */
public record HostClientSettings(String host, String imap, String pop3, String smtp, String webmailUrl,
        List<String> reasons, List<String> warnings) {
    public HostClientSettings {
        reasons = List.copyOf(reasons);
        warnings = List.copyOf(warnings);
    }
}
