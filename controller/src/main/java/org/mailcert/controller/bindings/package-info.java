/** Desired bindings and the rules every binding write is checked against. */
package org.mailcert.controller.bindings;
