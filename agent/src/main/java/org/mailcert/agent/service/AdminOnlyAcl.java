package org.mailcert.agent.service;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Restricts a directory (the data dir with the agent's key, and the install dir whose programs run as
 * SYSTEM) to SYSTEM and Administrators with {@code icacls}, naming both by SID so that a localized Windows
 * works the same, and proves it by reading the ACL back.
 * <ol>
 *   <li>{@code icacls DIR /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F}: the
 *       inherited entries (from {@code C:\ProgramData}: Users may read) go, full control for the two is
 *       set; the directory is protected before anything below it changes.</li>
 *   <li>{@code icacls DIR\* /reset /T /C} when the directory has entries: everything below gets exactly
 *       what the directory passes down, so explicit grants on a key file made by hand go too.</li>
 *   <li>{@code icacls DIR /setowner *S-1-5-32-544 /T /C}.</li>
 *   <li>{@code icacls DIR /save FILE} and the SDDL in FILE checked: protected, full control for both, no
 *       one else granted anything. Explicit grants an earlier hand-made directory had (step 1 keeps them)
 *       are removed with {@code icacls DIR /remove:g *SID} and the ACL read again.</li>
 * </ol>
 * UNVERIFIED (Microsoft's icacls documentation, not run here): that {@code /save} writes the file name
 * and the SDDL on two lines in UTF-16LE, and that {@code /reset} on {@code DIR\*} also re-enables
 * inheritance on children that had it disabled.
 */
final class AdminOnlyAcl {
    private static final String GRANT = ":(OI)(CI)F";

    private final Programs programs;

    AdminOnlyAcl(Programs programs) {
        this.programs = Objects.requireNonNull(programs, "programs");
    }

    /**
     * Restricts {@code dir} (which exists) and checks the result.
     *
     * @param what the directory for messages ({@code the data dir})
     * @throws ServiceException if a step fails or the ACL read back still lets anyone else in
     */
    void restrict(Path dir, String what) throws ServiceException, InterruptedException {
        String d = dir.toString();
        programs.run("restrict " + d + " to SYSTEM and Administrators", Programs.SHORT, List.of("icacls", d,
                "/inheritance:r", "/grant:r", "*" + Dacl.SYSTEM + GRANT, "*" + Dacl.ADMINISTRATORS + GRANT));
        if (hasEntries(dir)) {
            programs.run("reset the ACLs below " + d, Programs.SHORT, List.of("icacls",
                    d + dir.getFileSystem().getSeparator() + "*", "/reset", "/T", "/C"));
        }
        programs.run("make Administrators the owner of " + d, Programs.SHORT, List.of("icacls", d, "/setowner",
                "*" + Dacl.ADMINISTRATORS, "/T", "/C"));
        Dacl acl = read(dir);
        List<String> others = acl.otherGrantees();
        if (!others.isEmpty()) {
            for (String sid : others) {
                if (!Dacl.isSid(sid)) {
                    throw new ServiceException("the ACL of " + d + " grants '" + sid + "', which this installer cannot"
                            + " name to icacls; remove that entry by hand (icacls " + d + " /remove:g NAME) and run"
                            + " the install again");
                }
                programs.run("remove " + sid + " from the ACL of " + d, Programs.SHORT, List.of("icacls", d,
                        "/remove:g", "*" + sid));
            }
            acl = read(dir);
        }
        Optional<String> problem = acl.problem();
        if (problem.isPresent()) {
            throw new ServiceException(what + " " + d + " is not restricted to SYSTEM and Administrators: "
                    + problem.get() + "; fix its ACL (icacls " + d + ") and run the install again");
        }
    }

    /** The directory's DACL, as {@code icacls /save} writes it to a temporary file. */
    Dacl read(Path dir) throws ServiceException, InterruptedException {
        Path saved;
        try {
            saved = Files.createTempFile("mailcert-acl", ".txt");
        } catch (IOException e) {
            throw new ServiceException("cannot create a temporary file to read the ACL of " + dir + ": "
                    + e.getMessage(), e);
        }
        try {
            programs.run("read the ACL of " + dir, Programs.SHORT, List.of("icacls", dir.toString(), "/save",
                    saved.toString()));
            return Dacl.parse(decode(Files.readAllBytes(saved)));
        } catch (IOException | IllegalArgumentException e) {
            throw new ServiceException("cannot read the ACL of " + dir + " that icacls saved: " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(saved);
            } catch (IOException e) {
                // a temporary file with an ACL in it, no secret; the system cleans %TEMP%
            }
        }
    }

    /** UTF-16LE (with or without a byte-order mark) when the bytes look like it, else UTF-8. */
    static String decode(byte[] bytes) {
        boolean utf16 = bytes.length >= 2 && (bytes[1] == 0 || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE));
        String text = new String(bytes, utf16 ? UTF_16LE : UTF_8);
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static boolean hasEntries(Path dir) throws ServiceException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isPresent();
        } catch (IOException e) {
            throw new ServiceException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
