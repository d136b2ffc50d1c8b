/**
 * Logging set-up for the command-line processes ({@link org.mailcert.common.logging.CliLogging});
 * the only package in common that touches logback.
 */
package org.mailcert.common.logging;
