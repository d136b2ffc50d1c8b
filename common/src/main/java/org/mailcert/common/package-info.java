/**
 * What the controller and the agents both need: the checked root exception {@link
 * org.mailcert.common.MailcertException}, DNS-name rules in {@code names}, certificate and key
 * handling in {@code pki} (the only package that touches Bouncy Castle), the controller's address
 * as people write it in {@code net}, tables for people in {@code text} and the command-line
 * processes' logging set-up in {@code logging} (the only package that touches logback).
 */
package org.mailcert.common;
