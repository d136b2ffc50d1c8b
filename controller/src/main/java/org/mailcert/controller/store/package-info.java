/**
 * The controller's durable state: the {@link org.mailcert.controller.store.Store} contract and its
 * RocksDB implementation, {@link org.mailcert.controller.store.RocksStore}. This is the only
 * package that touches RocksDB.
 *
 * <p>Layout (one column family per record kind; values are the {@code mailcert.v1} messages of
 * {@code store.proto}; "+" is byte concatenation, strings are UTF-8, numbers big-endian):
 * <ul>
 *   <li>{@code hosts}: fqdn &rarr; {@code StoredHost}</li>
 *   <li>{@code certificates}: name + 0x00 + int32 version &rarr; {@code StoredCertificateVersion};
 *       a prefix scan on name + 0x00 lists a name's versions oldest first</li>
 *   <li>{@code keys}: the same key as the certificate version &rarr; {@code SealedKey} (AAD
 *       {@code "certificate:" + name + ":" + version}); controller keys under 0x01 + "controller:" +
 *       purpose (AAD {@code "controller:" + purpose})</li>
 *   <li>{@code bindings}: host + 0x00 + scope byte (proto enum number) + domain &rarr;
 *       {@code StoredBinding}; a prefix scan on host + 0x00 lists a host's bindings</li>
 *   <li>{@code tokens}: join token id &rarr; {@code StoredJoinToken}</li>
 *   <li>{@code admin_tokens}: name &rarr; {@code StoredAdminToken}</li>
 *   <li>{@code events}: int64 seq &rarr; {@code StoredEvent}</li>
 *   <li>{@code issuers}: name &rarr; {@code StoredIssuer}; its account key pair, EAB HMAC key and
 *       TSIG secret are {@code SealedKey}s inside it (AAD {@code "issuer:" + name + ":account"},
 *       {@code ":eab"}, {@code ":tsig"}). Secrets that are not private keys carry the algorithm
 *       marker {@code raw} (the ciphertext is the secret's bytes); the account key pair carries
 *       {@code keypair/EC} (int32 length + PKCS#8 + X.509 public key, since the JDK cannot derive an
 *       EC public key from the private one)</li>
 *   <li>{@code acme_orders}: certificate name &rarr; {@code StoredAcmeOrder}; written without moving
 *       the revision (attempts and schedules are not desired state)</li>
 *   <li>{@code meta}: {@code revision}, {@code event_seq} (int64 each), {@code schema} (int64, 1)</li>
 * </ul>
 * Key components (names, hosts, domains, purposes) may not contain control characters, so the
 * separators above cannot be forged. Private keys are sealed with AES-256-GCM under the
 * {@link org.mailcert.controller.store.MasterKey}; no plaintext key byte reaches RocksDB.
 */
package org.mailcert.controller.store;
