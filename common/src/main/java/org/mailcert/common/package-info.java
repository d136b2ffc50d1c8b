/**
 * What the controller and the agents both need: the checked root exception {@link
 * org.mailcert.common.MailcertException}, DNS-name rules in {@code names}, and certificate and key
 * handling in {@code pki} (the only package that touches Bouncy Castle).
 */
package org.mailcert.common;
