/** The controller: desired certificate state for a fleet of mail hosts; the root exception. */
package org.mailcert.controller;
