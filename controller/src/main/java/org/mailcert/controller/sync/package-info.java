/** The desired-state stream: per-host desired state, sessions with Ack/Nack, fan-out to live streams. */
package org.mailcert.controller.sync;
