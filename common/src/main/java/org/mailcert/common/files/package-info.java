/** Crash-safe file replacement with exact permissions. */
package org.mailcert.common.files;
