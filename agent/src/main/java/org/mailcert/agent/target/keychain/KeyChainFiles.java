package org.mailcert.agent.target.keychain;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.drift.FileObserver;
import org.mailcert.agent.drift.Observed;
import org.mailcert.agent.drift.TargetObservation;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.mail.ServedCheck;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.common.pki.Fingerprints;

/**
 * The key-and-chain files of the qmail and Courier targets as written and as observed by a drift
 * cycle. Their server reads the file as its own user, so a key file may be readable by the file's
 * group ({@code qmaild:qmail 0640}, {@code root:courier 0640}) but never by others: a write takes
 * the others' bits away, and an observed file that others can use, or a link, is not private. The
 * observation of an {@link Installer.Plan} is what an apply of that plan would leave, as found.
 * Used by the Courier target too; its place is the {@code keychain} package beside the Installer.
 */
public final class KeyChainFiles {
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private KeyChainFiles() {
    }

    /** A write of a binding's key and chain with {@code ownership}, less any access for others. */
    public static Installer.FileWrite write(Path file, Binding binding, Ownership ownership,
            Ownership directoryOwnership) {
        Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
        mode.addAll(ownership.mode());
        mode.removeAll(OTHERS);
        return new Installer.FileWrite(file, binding, new Ownership(ownership.owner(), ownership.group(), mode),
                directoryOwnership);
    }

    /**
     * What {@code target} has of {@code plan}: each written file by its binding, the manifest against
     * the one the plan writes, the plan's endpoints, and the names of its expectations to probe.
     *
     * @param perDomain whether the server serves per-domain certificates
     * @param unserved per-domain bindings the server cannot serve, observed without files (so the
     *     drift checks name them {@code UnsupportedOnThisServer})
     * @param configs the target's other managed configuration items
     */
    public static TargetObservation observation(String target, Installer.Plan plan, boolean perDomain,
            List<Binding> unserved, List<Observed.Config> configs) {
        Map<String, List<Observed.File>> files = new LinkedHashMap<>();
        for (Installer.FileWrite w : plan.writes()) {
            files.computeIfAbsent(w.binding().id(), id -> new ArrayList<>())
                    .add(observe(w.file(), KeyChainPem.render(w.binding())));
        }
        unserved.forEach(b -> files.putIfAbsent(b.id(), List.of()));
        List<Observed.Config> all = new ArrayList<>();
        if (plan.manifest() != null) {
            Path manifest = plan.manifest().file();
            all.add(new Observed.Config(target, manifest.toString(),
                    Fingerprints.sha256Hex(plan.manifest().render(plan.manifestNames())),
                    FileObserver.contentSha256(manifest)));
        }
        all.addAll(configs);
        Map<String, String> names = new LinkedHashMap<>();
        for (ServedCheck.Expectation x : plan.expectations()) {
            x.sni().ifPresent(n -> names.putIfAbsent(n, x.bindingId()));
        }
        return new TargetObservation(target, files, all, plan.endpoints(), names, perDomain);
    }

    /** A key file as found: private when it is a regular file and others have no access to it. */
    static Observed.File observe(Path file, byte[] expected) {
        Observed.File f = FileObserver.observe(file, true, expected);
        if (f.found().isEmpty() || f.found().get().ownerOnly()) {
            return f;
        }
        return new Observed.File(file, true, f.expectedSha256(),
                Optional.of(new Observed.Found(f.found().get().sha256(), noneForOthers(file))));
    }

    private static boolean noneForOthers(Path file) {
        try {
            Optional<BasicFileAttributes> a = AtomicFiles.attributes(file);
            return a.isPresent() && a.get().isRegularFile() && a.get() instanceof PosixFileAttributes p
                    && Collections.disjoint(p.permissions(), OTHERS);
        } catch (IOException e) {
            return false;
        }
    }
}
