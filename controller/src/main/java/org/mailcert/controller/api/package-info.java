/** gRPC adapters: admin API mapping, authentication interceptor, status mapping. */
package org.mailcert.controller.api;
