/**
 * The {@code mailcert-agent} command line: {@code enroll}, {@code run} and {@code status}. This
 * package only parses flags and the config file, validates them (bad usage exits 2 naming the
 * option), wires the other packages and turns failures into one line on stderr (exit 1).
 */
package org.mailcert.agent.cli;
