package org.mailcert.agent.drift;

import java.nio.file.Path;
import java.util.List;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.TargetException;

/**
 * A target whose installed state a drift cycle can observe. Observing changes nothing on the host
 * and makes no handshakes: the target says which endpoints and names to probe, and the cycle
 * probes them within its budget ({@link ProbePlan}, {@link ServedObserver}).
 */
public interface Observable {
    /** The target's name, as in the items it is named in. */
    String name();

    /**
     * What this target has installed of {@code desired}: its files, its managed configuration, and
     * which names it serves on which endpoints.
     *
     * @throws TargetException if the target cannot even look (its configuration cannot be read)
     */
    TargetObservation observe(List<Binding> desired) throws TargetException, InterruptedException;

    /**
     * Configuration files whose change on disk should start a drift cycle soon (the directories of
     * the installed files are watched anyway). Watching is a hint for speed; the timer still runs.
     */
    default List<Path> watched() {
        return List.of();
    }

    /**
     * The server's own files whose change may change the host's facts (its domains, ports, SNI
     * support), never files the agent writes: a change re-reads the facts at the next cycle, and the
     * controller hears of new ones. Watched like {@link #watched()}.
     */
    default List<Path> factSources() {
        return List.of();
    }
}
