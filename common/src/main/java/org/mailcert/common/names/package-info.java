/**
 * DNS-name rules: the one strict validator every host and domain name passes through ({@link
 * org.mailcert.common.names.DnsNames#hostname}), certificate name patterns with a left-most
 * wildcard, and RFC 6125 matching of a pattern against a host name.
 */
package org.mailcert.common.names;
