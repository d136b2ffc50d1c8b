/**
 * Test support shipped in common's test-jar: {@link org.mailcert.common.testing.TestPki} mints CAs,
 * leaves and their keys in memory in every encoding mailcert reads.
 */
package org.mailcert.common.testing;
