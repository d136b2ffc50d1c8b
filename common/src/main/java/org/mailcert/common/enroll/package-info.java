/** Enrollment values shared by controller and agent: the join token format. */
package org.mailcert.common.enroll;
