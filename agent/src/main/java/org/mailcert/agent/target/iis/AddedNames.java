package org.mailcert.agent.target.iis;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.mailcert.agent.target.windows.Platform;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.names.DnsNames;
import org.mailcert.common.names.InvalidNameException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the iis target itself added for each name ({@code <dir>/iis.names}, one {@code site|sslcert NAME:PORT}
 * a line): only these are removed when a name is no longer bound, so a site binding or certificate binding
 * the admin made is never touched. Replaced atomically (an owner-only temporary file, fsync, rename, fsync
 * of the directory). A line that is not a plain host name and port is ignored, so a damaged file never
 * brings a name into a command.
 */
final class AddedNames {
    private static final Logger LOG = LoggerFactory.getLogger(AddedNames.class);
    private static final String FILE = "iis.names";
    private static final Pattern LINE = Pattern.compile("(site|sslcert) (\\S+):(\\d{1,5})");

    /** What the target added: HTTP.sys's certificate binding or the site's https binding (removed in this order). */
    enum Part {
        SSLCERT, SITE
    }

    /** One thing the target added for {@code host:port}. */
    record Added(Part part, String host, int port) {
        static final Comparator<Added> ORDER = Comparator.comparing(Added::host).thenComparingInt(Added::port)
                .thenComparing(Added::part);

        Added {
            Objects.requireNonNull(part, "part");
            Objects.requireNonNull(host, "host");
        }

        String line() {
            return part.name().toLowerCase(Locale.ROOT) + " " + host + ":" + port;
        }
    }

    private final Path dir;
    private final Platform platform;

    /**
     * @param dir the agent's Windows directory (under its data dir)
     * @param platform writes the owner-only temporary file
     */
    AddedNames(Path dir, Platform platform) {
        this.dir = Objects.requireNonNull(dir, "dir");
        this.platform = Objects.requireNonNull(platform, "platform");
    }

    /** What the target added, in {@link Added#ORDER}; empty if nothing is listed. */
    Set<Added> read() throws IOException {
        Set<Added> set = new TreeSet<>(Added.ORDER);
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return set;
        }
        for (String line : Files.readAllLines(file, US_ASCII)) {
            parse(line.strip()).ifPresentOrElse(set::add, () -> {
                if (!line.isBlank()) {
                    LOG.warn("iis target: ignoring a line of {} that is not 'site|sslcert NAME:PORT'", file);
                }
            });
        }
        return set;
    }

    /** The line as an entry, empty unless it names a plain host name (normal form) and a port. */
    static Optional<Added> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        int port = Integer.parseInt(m.group(3));
        try {
            if (port < 1 || port > 65535 || !DnsNames.hostname(m.group(2)).equals(m.group(2))) {
                return Optional.empty();
            }
        } catch (InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.of(new Added(Part.valueOf(m.group(1).toUpperCase(Locale.ROOT)), m.group(2), port));
    }

    /** Replaces the list. */
    void write(Set<Added> added) throws IOException {
        StringBuilder text = new StringBuilder();
        Set<Added> sorted = new TreeSet<>(Added.ORDER);
        sorted.addAll(added);
        sorted.forEach(a -> text.append(a.line()).append('\n'));
        Path tmp = platform.writePrivate(dir, FILE + "-", text.toString().getBytes(US_ASCII));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.syncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
