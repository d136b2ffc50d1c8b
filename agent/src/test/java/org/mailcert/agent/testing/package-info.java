/** Test support for the agent: a controller PKI, identities on disk, bindings with material. */
package org.mailcert.agent.testing;
