package org.mailcert.agent.drift;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.Scope;

/** What targets observed on the host, as the drift checks read it. */
public final class Observed {
    private Observed() {
    }

    /**
     * A file a binding needs, as found on disk.
     *
     * @param path where it is
     * @param secret whether it holds a private key (must be owner-only)
     * @param expectedSha256 SHA-256 of what the agent wrote
     * @param found what is there; empty if the file is missing
     */
    public record File(Path path, boolean secret, String expectedSha256, Optional<Found> found) {
        /** Refuses nulls. */
        public File {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(expectedSha256, "expectedSha256");
            Objects.requireNonNull(found, "found");
        }
    }

    /**
     * A file that exists.
     *
     * @param sha256 SHA-256 of its content, or {@link #UNREADABLE}
     * @param ownerOnly whether it is as private as a key file must be: readable by its owner only
     *     (0600) for the agent's own files; for software that reads its key through the file's group
     *     (qmail, Courier), not readable by others
     */
    public record Found(String sha256, boolean ownerOnly) {
        /** The {@code sha256} of a file that exists but cannot be read. */
        public static final String UNREADABLE = "unreadable";

        /** Refuses nulls. */
        public Found {
            Objects.requireNonNull(sha256, "sha256");
        }
    }

    /**
     * One live handshake.
     *
     * @param endpoint where
     * @param sni the name sent, or empty for none
     * @param leaf the leaf served; empty if the handshake failed
     * @param error why it failed, "" when it did not
     */
    public record Served(Endpoint endpoint, Optional<String> sni, Optional<X509Certificate> leaf, String error) {
        /** Refuses nulls. */
        public Served {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(sni, "sni");
            Objects.requireNonNull(leaf, "leaf");
            Objects.requireNonNull(error, "error");
        }

        /** {@code imaps 127.0.0.1:993 for mail.example.com} or {@code ... without SNI}. */
        String describe() {
            return endpoint + sni.map(n -> " for " + n).orElse(" without SNI");
        }
    }

    /**
     * What one target observed of one binding.
     *
     * @param binding the desired binding
     * @param target the target's name
     * @param files the files it needs, as found
     * @param served the handshakes made for its names
     */
    public record OfBinding(Binding binding, String target, List<File> files, List<Served> served) {
        /** Copies the lists and refuses nulls. */
        public OfBinding {
            Objects.requireNonNull(binding, "binding");
            Objects.requireNonNull(target, "target");
            files = List.copyOf(files);
            served = List.copyOf(served);
        }
    }

    /**
     * A managed configuration item: a parameter the agent set or an include it wrote.
     *
     * @param target the target that manages it
     * @param item what it is ({@code main.cf tls_server_sni_maps}, {@code conf.d/99-mailcert.conf})
     * @param expected what the agent last wrote (a value, or the SHA-256 of a file)
     * @param found what is there now; empty if it was removed
     */
    public record Config(String target, String item, String expected, Optional<String> found) {
        /** Refuses nulls. */
        public Config {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(item, "item");
            Objects.requireNonNull(expected, "expected");
            Objects.requireNonNull(found, "found");
        }
    }

    /**
     * The host as a whole.
     *
     * @param bindings what each target observed of each binding it serves
     * @param configs the managed configuration items
     * @param server the server-wide binding, if there is one
     * @param discoveredDomains the mail domains the host serves (from its mail servers' configuration)
     * @param noSniTargets targets that can serve only the server-wide certificate
     */
    public record Host(List<OfBinding> bindings, List<Config> configs, Optional<Binding> server,
            Set<String> discoveredDomains, Set<String> noSniTargets) {
        /** Copies the collections and refuses nulls. */
        public Host {
            bindings = List.copyOf(bindings);
            configs = List.copyOf(configs);
            Objects.requireNonNull(server, "server");
            discoveredDomains = Set.copyOf(discoveredDomains);
            noSniTargets = Set.copyOf(noSniTargets);
        }
    }

    /** The desired bindings of the mail scope among {@code bindings}. */
    static List<Binding> mail(List<OfBinding> bindings) {
        return bindings.stream().map(OfBinding::binding).filter(b -> b.scope() == Scope.MAIL).distinct().toList();
    }
}
