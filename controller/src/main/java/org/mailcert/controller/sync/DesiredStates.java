package org.mailcert.controller.sync;

import java.security.PrivateKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.mailcert.common.pki.Fingerprints;
import org.mailcert.common.pki.Pem;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.store.Store;

/** Computes hosts' desired state from the store: bindings with the latest certificate versions. */
public final class DesiredStates {
    private final Store store;

    public DesiredStates(Store store) {
        this.store = store;
    }

    /**
     * The version a host's agent should be at: the highest revision among the host record (which
     * a binding removal rewrites), its bindings and the certificate versions they use.
     */
    public static long version(Host host, List<Binding> bindings, Store store) {
        Map<String, Long> certRevisions = new HashMap<>();
        return version(host, bindings, name -> certRevisions.computeIfAbsent(name,
                n -> store.certificate(n).map(CertificateVersion::revision).orElse(0L)));
    }

    /**
     * As {@link #version(Host, List, Store)}, with the revision of each certificate name's newest
     * version from {@code certificateRevision} (0 for an unknown name), so a caller looking at the
     * whole fleet reads each certificate once.
     */
    public static long version(Host host, List<Binding> bindings, ToLongFunction<String> certificateRevision) {
        long v = host.revision();
        for (Binding b : bindings) {
            v = Math.max(v, Math.max(b.revision(), certificateRevision.applyAsLong(b.certificate())));
        }
        return v;
    }

    /** The complete desired state of a host. */
    public HostDesired of(Host host) {
        List<Binding> bindings = store.bindingsOfHost(host.fqdn());
        Map<String, CertificateVersion> latest = new HashMap<>();
        Map<String, String> leafSha = new HashMap<>();
        Map<String, BindingSpec> specs = new HashMap<>();
        long version = host.revision();
        for (Binding b : bindings) {
            CertificateVersion v = latest.computeIfAbsent(b.certificate(), n -> store.certificate(n).orElse(null));
            if (v == null) {
                continue; // cannot happen: a bound certificate cannot be deleted
            }
            version = Math.max(version, Math.max(b.revision(), v.revision()));
            BindingSpec spec = BindingSpec.of(b, v, leafSha.computeIfAbsent(v.name(), n -> Fingerprints.sha256Hex(v.leaf())));
            specs.put(spec.id(), spec);
        }
        return new HostDesired(host.fqdn(), version, specs);
    }

    /** The chain and key of the certificate version a binding uses. */
    public MaterialSpec material(BindingSpec spec) throws ControllerException {
        CertificateVersion v = store.certificate(spec.certificate(), spec.certificateVersion())
                .orElseThrow(() -> ControllerException.notFound("certificate " + spec.certificate() + " version "
                        + spec.certificateVersion() + " is gone"));
        PrivateKey key = store.privateKey(v.name(), v.version());
        return new MaterialSpec(spec.leafSha256(), Pem.certificates(v.chain()), Pem.privateKey(key));
    }
}
