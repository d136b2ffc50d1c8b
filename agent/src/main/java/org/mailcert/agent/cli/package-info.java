/**
 * The {@code mailcert-agent} command line: {@code enroll}, {@code run}, {@code status} and {@code
 * service} (the Windows service). This package only parses flags and the config file, validates them
 * (bad usage exits 2 naming the option), wires the other packages and turns failures into one line on
 * stderr (exit 1).
 */
package org.mailcert.agent.cli;
