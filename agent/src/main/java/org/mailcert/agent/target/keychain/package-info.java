/**
 * What the qmail and Courier targets share: one PEM file holding key, leaf and chain, replaced in
 * place with its owner, group and mode kept and journaled for rollback, checked as a server would
 * load it, plus the manifest of per-name files a target created and the SNI support setting.
 */
package org.mailcert.agent.target.keychain;
