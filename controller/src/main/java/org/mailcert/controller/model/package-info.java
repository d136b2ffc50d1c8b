/** Domain records: hosts, certificate versions, bindings, tokens, events, agents' drift reports. */
package org.mailcert.controller.model;
