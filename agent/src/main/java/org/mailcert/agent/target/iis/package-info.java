/**
 * The {@code iis} target: MailEnable's webmail on Windows, an IIS site found by its physical path, serving
 * each {@code webmail.<d>} binding through an HTTPS SNI site binding and an HTTP.sys certificate binding
 * ({@code netsh http ... sslcert hostnameport=}), proven by an SNI handshake per name.
 */
package org.mailcert.agent.target.iis;
