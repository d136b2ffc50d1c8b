/** Text for people at a terminal: aligned plain-text tables ({@link org.mailcert.common.text.Table}). */
package org.mailcert.common.text;
