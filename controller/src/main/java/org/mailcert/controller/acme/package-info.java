/**
 * ACME (RFC 8555): the only package that touches acme4j. {@link org.mailcert.controller.acme.AcmeCa}
 * is what the rest of the controller uses; DNS-01 is proven through a {@link
 * org.mailcert.controller.acme.DnsSolver} (RFC 2136 with TSIG, or an exec hook) after a {@link
 * org.mailcert.controller.acme.Propagation} check at the zone's authoritative servers.
 */
package org.mailcert.controller.acme;
