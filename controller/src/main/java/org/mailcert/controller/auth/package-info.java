/** Admin authentication: bearer tokens with roles, stored hashed. */
package org.mailcert.controller.auth;
