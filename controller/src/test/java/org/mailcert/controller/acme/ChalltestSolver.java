package org.mailcert.controller.acme;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.mailcert.controller.testing.PebbleInstance;

/**
 * A {@link DnsSolver} for tests that sets TXT values in Pebble's challtestsrv directly and records
 * its calls ({@code present NAME}, {@code cleanup NAME}); optionally presents a wrong value.
 */
final class ChalltestSolver implements DnsSolver {
    private final PebbleInstance pebble;
    private final Optional<String> forcedValue;
    private final List<String> calls = new CopyOnWriteArrayList<>();

    private ChalltestSolver(PebbleInstance pebble, Optional<String> forcedValue) {
        this.pebble = pebble;
        this.forcedValue = forcedValue;
    }

    /** Presents the value the CA expects. */
    static ChalltestSolver of(PebbleInstance pebble) {
        return new ChalltestSolver(pebble, Optional.empty());
    }

    /** Presents {@code value} instead of the one the CA expects. */
    static ChalltestSolver presentingWrongValue(PebbleInstance pebble, String value) {
        return new ChalltestSolver(pebble, Optional.of(value));
    }

    /** The calls so far, in order. */
    List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public void present(Record record) throws AcmeException {
        calls.add("present " + record.recordName());
        try {
            pebble.setTxt(record.recordName(), forcedValue.orElse(record.value()));
        } catch (IOException | InterruptedException e) {
            throw new AcmeException(AcmeException.Kind.DNS, "challtestsrv: " + e.getMessage());
        }
    }

    @Override
    public void cleanup(Record record) throws AcmeException {
        calls.add("cleanup " + record.recordName());
        try {
            pebble.clearTxt(record.recordName());
        } catch (IOException | InterruptedException e) {
            throw new AcmeException(AcmeException.Kind.DNS, "challtestsrv: " + e.getMessage());
        }
    }

    @Override
    public String describe() {
        return "challtestsrv";
    }
}
