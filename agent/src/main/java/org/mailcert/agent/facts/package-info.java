/**
 * What the agent reports about its host: operating system, agent version and what the mail targets
 * found (software, versions, per-domain SNI, TLS endpoints, discovered domains, problems).
 */
package org.mailcert.agent.facts;
