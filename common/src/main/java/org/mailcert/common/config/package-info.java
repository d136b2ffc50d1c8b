/** Configuration files for the daemons: YAML whose keys are the command-line option names. */
package org.mailcert.common.config;
