/** Which host names mail clients should use so that no certificate warning appears. */
package org.mailcert.controller.clients;
