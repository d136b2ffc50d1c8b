/**
 * The {@code mailcert} admin command line: a thin client of the gRPC {@code AdminService}.
 *
 * <p>{@link org.mailcert.controller.cli.MailcertCli} parses the command line (picocli), resolves
 * where the controller is and which token and CA to use ({@code ConnectionSettings}), opens one
 * TLS channel through a {@link org.mailcert.controller.cli.ChannelFactory} (the test seam), runs
 * one command class per command group and renders the response as a table or as JSON. gRPC
 * failures become one line on stderr in exactly one place ({@code Errors}).
 */
package org.mailcert.controller.cli;
