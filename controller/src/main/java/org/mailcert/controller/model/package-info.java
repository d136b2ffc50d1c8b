/** Domain records: hosts, certificate versions, bindings, tokens, events. */
package org.mailcert.controller.model;
