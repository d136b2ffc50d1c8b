package org.mailcert.agent.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Path;
import java.util.Optional;
import org.mailcert.proto.v1.DriftReport;

/**
 * Reads and writes {@code <data-dir>/state/drift.json}: the agent's last drift report, in the
 * protobuf JSON mapping of {@link DriftReport} (the same fields the controller receives), for
 * {@code mailcert-agent status}. Observed state: losing it loses nothing the next cycle does not
 * find again.
 */
public final class DriftReportStore {
    /** The file name of the report. */
    public static final String FILE = "drift.json";

    private final Path file;

    /** Keeps the report under {@code dataDir/state/}. */
    public DriftReportStore(Path dataDir) {
        this.file = dataDir.resolve("state").resolve(FILE);
    }

    /** The report file. */
    public Path file() {
        return file;
    }

    /**
     * Reads the last report; empty when no cycle has run yet.
     *
     * @throws StateException if the file cannot be read or is not a drift report
     */
    public Optional<DriftReport> load() throws StateException {
        Optional<String> text = TextFiles.read(file, "the drift report");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            DriftReport.Builder b = DriftReport.newBuilder();
            JsonFormat.parser().merge(text.get(), b);
            return Optional.of(b.build());
        } catch (InvalidProtocolBufferException e) {
            throw new StateException("the drift report " + file + " is damaged (" + e.getMessage()
                    + "); it is rewritten by the next drift cycle", e);
        }
    }

    /**
     * Replaces the report atomically (mode 0600).
     *
     * @throws StateException if it cannot be written
     */
    public void save(DriftReport report) throws StateException {
        TextFiles.write(file, toJson(report), "the drift report");
    }

    /** The report in the protobuf JSON mapping. */
    public static String toJson(DriftReport report) {
        try {
            return JsonFormat.printer().print(report);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a DriftReport always prints", e);
        }
    }
}
