package org.mailcert.controller.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads the small files the CLI sends or uses, with errors that name the file and its role. */
final class LocalFiles {
    /** Certificates, keys, bundles and tokens are far smaller; anything bigger is the wrong file. */
    static final int MAX_BYTES = 1024 * 1024;

    private final Path workDir;

    /** Relative paths resolve against {@code workDir} (the current directory in production). */
    LocalFiles(Path workDir) {
        this.workDir = workDir;
    }

    /** The path as the CLI opens it. */
    Path resolve(Path given) {
        return workDir.resolve(given);
    }

    /**
     * Reads the whole file.
     *
     * @param what where the path came from, e.g. "--cert"; starts the error message
     */
    byte[] read(Path given, String what) throws CliException {
        Path path = resolve(given);
        if (Files.isDirectory(path)) {
            throw new CliException("cannot read " + what + " " + given + ": it is a directory; give a file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw new CliException(what + " " + given + " is larger than 1 MiB; check that it is the right file");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new CliException("cannot read " + what + " " + given + ": no such file; check the path", e);
        } catch (AccessDeniedException e) {
            throw new CliException("cannot read " + what + " " + given + ": permission denied", e);
        } catch (IOException e) {
            throw new CliException("cannot read " + what + " " + given + ": " + e.getMessage(), e);
        }
    }

    /** The first line of a text file, without its line ending. */
    String firstLine(Path given, String what) throws CliException {
        String text = new String(read(given, what), java.nio.charset.StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** Whether a regular file exists at the path. */
    boolean exists(Path given) {
        return Files.isRegularFile(resolve(given));
    }
}
