/** What the agent reports about its host (operating system, agent version; later the mail software found). */
package org.mailcert.agent.facts;
