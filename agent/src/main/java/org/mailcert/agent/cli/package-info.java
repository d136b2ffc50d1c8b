/** The agent's command line. */
package org.mailcert.agent.cli;
