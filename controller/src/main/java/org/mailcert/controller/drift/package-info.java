/**
 * What agents' drift reports say about the fleet: where each host stands ({@link
 * org.mailcert.controller.drift.SyncState}), the events a new report is worth ({@link
 * org.mailcert.controller.drift.DriftEvents}), and the fleet-wide views ({@link
 * org.mailcert.controller.drift.DriftService}): status counts, drift items, expiring certificates.
 */
package org.mailcert.controller.drift;
