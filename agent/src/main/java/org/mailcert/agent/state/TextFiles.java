package org.mailcert.agent.state;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.mailcert.common.files.AtomicFiles;

/** The text files under {@code <data-dir>/state/}: read whole, replaced atomically, 0600 in a 0700 directory. */
final class TextFiles {
    private TextFiles() {
    }

    /**
     * The file's text; empty when it does not exist yet.
     *
     * @param what what the file is, for the error ("the status file")
     */
    static Optional<String> read(Path file, String what) throws StateException {
        try {
            return Optional.of(Files.readString(file, UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StateException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces the file with {@code text} and a newline, atomically. */
    static void write(Path file, String text, String what) throws StateException {
        try {
            AtomicFiles.privateDirectory(file.getParent());
            AtomicFiles.write(file, (text + "\n").getBytes(UTF_8), AtomicFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new StateException("cannot write " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
