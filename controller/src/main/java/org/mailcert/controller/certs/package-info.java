/** Named, versioned certificates: import, assessment (facts, trust), listing, deletion. */
package org.mailcert.controller.certs;
