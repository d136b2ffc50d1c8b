/**
 * Running external commands: the one place that uses Apache Commons Exec. Commands are argument
 * lists (never a shell line), run with a timeout and with their output captured.
 * {@link org.mailcert.agent.exec.CommandRunner} is the seam targets use; tests hand in a recording
 * fake.
 */
package org.mailcert.agent.exec;
