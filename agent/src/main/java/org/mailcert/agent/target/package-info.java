/**
 * Targets: the software on the host that serves certificates (a directory of PEM files here;
 * Postfix, Dovecot, nginx and the Windows servers in later work). Each implements the narrow
 * {@link org.mailcert.agent.target.Target} interface: apply a complete desired set transactionally,
 * restoring the previous state on failure. {@link org.mailcert.agent.target.TargetSet} applies all
 * configured targets as one transaction.
 */
package org.mailcert.agent.target;
