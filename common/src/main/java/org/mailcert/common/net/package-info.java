/** Network addresses as people write them: {@link org.mailcert.common.net.ControllerAddress}. */
package org.mailcert.common.net;
