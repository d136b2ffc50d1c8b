/** Agent enrollment, client-certificate identity and its two-phase renewal. */
package org.mailcert.controller.enroll;
