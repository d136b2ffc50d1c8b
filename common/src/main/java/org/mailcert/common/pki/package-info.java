/**
 * Certificates and keys: reading PEM and PKCS#12 material, facts about a certificate, ordering a
 * chain, checking trust, matching keys, and the controller's own small CA.
 *
 * <p>This is the only package that imports Bouncy Castle. It never installs Bouncy Castle as a
 * global JCA provider; where it needs it, it passes its own provider instance explicitly and
 * otherwise uses the JDK's providers. Private keys are never logged or put into messages.
 */
package org.mailcert.common.pki;
