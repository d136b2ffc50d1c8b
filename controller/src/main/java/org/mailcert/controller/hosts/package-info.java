/** Hosts of the fleet and their join tokens. */
package org.mailcert.controller.hosts;
