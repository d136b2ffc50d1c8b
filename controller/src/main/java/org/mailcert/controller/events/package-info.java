/** The audit and event log and its live feed. */
package org.mailcert.controller.events;
