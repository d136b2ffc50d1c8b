/** The controller process: flags and config, data dir bootstrap, server wiring, metrics. */
package org.mailcert.controller.daemon;
