package org.mailcert.agent.probe;

/** How a connection reaches TLS. */
public enum Protocol {
    /** TLS from the first byte (SMTPS 465, IMAPS 993, POP3S 995, HTTPS 443). */
    IMPLICIT,
    /** SMTP greeting, {@code EHLO}, {@code STARTTLS} (25, 587). */
    SMTP_STARTTLS,
    /** IMAP greeting, {@code a STARTTLS} (143). */
    IMAP_STARTTLS,
    /** POP3 greeting, {@code STLS} (110). */
    POP3_STARTTLS
}
