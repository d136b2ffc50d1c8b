/**
 * Text for people at a terminal: aligned plain-text tables ({@link org.mailcert.common.text.Table})
 * and the {@code -o table|json} choice between them and JSON ({@link
 * org.mailcert.common.text.OutputFormat}).
 */
package org.mailcert.common.text;
