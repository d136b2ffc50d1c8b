package org.mailcert.agent.sync;

import java.util.Optional;
import org.mailcert.proto.v1.DesiredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins the pages of one DesiredState (same version and nonce, {@code last} on the final one) into
 * one message. A page of another version before the last one discards the partial state: the
 * controller has moved on. Not thread-safe.
 */
final class PageAssembler {
    private static final Logger LOG = LoggerFactory.getLogger(PageAssembler.class);

    private final String host;
    private DesiredState.Builder partial;
    private int pages;

    PageAssembler(String host) {
        this.host = host;
    }

    /** Adds a page; returns the whole state when the page was the last one. */
    Optional<DesiredState> add(DesiredState page) {
        if (partial != null && (partial.getVersion() != page.getVersion()
                || !partial.getNonce().equals(page.getNonce()))) {
            LOG.warn("host {}: discarding {} page(s) of version {}: version {} started before its last page", host,
                    pages, partial.getVersion(), page.getVersion());
            partial = null;
        }
        if (partial == null) {
            partial = DesiredState.newBuilder().setVersion(page.getVersion()).setNonce(page.getNonce())
                    .setFull(page.getFull());
            pages = 0;
        }
        pages++;
        partial.addAllUpserted(page.getUpsertedList())
                .addAllRemovedIds(page.getRemovedIdsList())
                .addAllMaterials(page.getMaterialsList());
        partial.setFull(partial.getFull() || page.getFull());
        if (!page.getLast()) {
            return Optional.empty();
        }
        DesiredState whole = partial.setPage(0).setLast(true).build();
        if (pages > 1) {
            LOG.debug("host {}: assembled version {} from {} pages", host, whole.getVersion(), pages);
        }
        partial = null;
        return Optional.of(whole);
    }
}
