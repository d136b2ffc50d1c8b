package org.mailcert.agent.state;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.mailcert.common.files.AtomicFiles;
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
        String text;
        try {
            text = Files.readString(file, UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("cannot read the drift report " + file + ": " + e.getMessage(), e);
        }
        try {
            DriftReport.Builder b = DriftReport.newBuilder();
            JsonFormat.parser().merge(text, b);
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
        try {
            AtomicFiles.privateDirectory(file.getParent());
            AtomicFiles.write(file, (toJson(report) + "\n").getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new StateException("cannot write the drift report " + file + ": " + e.getMessage(), e);
        }
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
