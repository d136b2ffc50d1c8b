/**
 * ACME as the controller uses it: issuers (a CA's directory, an account, a DNS-01 solver), ordering
 * certificates into named versions, and renewing them (ARI or a third of the lifetime left, with
 * jittered back-off). Works against {@link org.mailcert.controller.acme.AcmeCa} only; never
 * touches acme4j.
 */
package org.mailcert.controller.issuers;
