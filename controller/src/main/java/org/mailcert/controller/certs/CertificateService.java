package org.mailcert.controller.certs;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mailcert.common.pki.BadMaterialException;
import org.mailcert.common.pki.Chains;
import org.mailcert.common.pki.Keys;
import org.mailcert.common.pki.Material;
import org.mailcert.common.pki.MaterialReader;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.auth.Caller;
import org.mailcert.controller.bindings.BindingService;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.CertificateSource;
import org.mailcert.controller.model.CertificateVersion;
import org.mailcert.controller.model.Event;
import org.mailcert.controller.store.Store;
import org.mailcert.controller.sync.FleetChanges;

/**
 * Named, versioned certificates: import (PEM or PKCS#12), listing, deletion. An import is checked
 * completely before anything is stored: readable material, a key that matches the leaf, a chain
 * that forms one path, not expired.
 */
public final class CertificateService {
    /** A certificate this close to expiry is imported with a warning. */
    static final Duration EXPIRY_WARNING = Duration.ofDays(21);

    private final Store store;
    private final CertificateInspector inspector;
    private final BindingService bindings;
    private final FleetChanges changes;

    public CertificateService(Store store, CertificateInspector inspector, BindingService bindings,
            FleetChanges changes) {
        this.store = store;
        this.inspector = inspector;
        this.bindings = bindings;
        this.changes = changes;
    }

    /** Imports a certificate as a new name, or as a new version of an existing name. */
    public ImportResult importCertificate(Caller caller, ImportRequest request) throws ControllerException {
        String name = CertificateNames.require(request.name());
        Material material = read(request);
        List<X509Certificate> chain = order(material.chain());
        PrivateKey key = material.key().orElseThrow(() -> ControllerException.invalid(request.isPkcs12()
                ? "the PKCS#12 bundle holds no private key"
                : "no private key: give --key FILE or put the key in the certificate file"));
        try {
            Keys.requireMatch(key, chain.get(0));
        } catch (BadMaterialException e) {
            throw ControllerException.invalid(e.getMessage());
        }
        CertificateSource source = request.isPkcs12() ? CertificateSource.IMPORTED_PKCS12 : CertificateSource.IMPORTED_PEM;
        return addVersion(caller, name, chain, key, source, Optional.of(request.newVersion()));
    }

    /**
     * Stores a certificate the controller obtained itself (ACME): a new name or a new version of an
     * existing one, checked like an import (key matches the leaf, not expired, bindings still hold).
     */
    public ImportResult addIssued(Caller caller, String name, List<X509Certificate> chain, PrivateKey key,
            CertificateSource source) throws ControllerException {
        CertificateNames.require(name);
        List<X509Certificate> ordered = order(chain);
        try {
            Keys.requireMatch(key, ordered.get(0));
        } catch (BadMaterialException e) {
            throw ControllerException.invalid(e.getMessage());
        }
        return addVersion(caller, name, ordered, key, source, Optional.empty());
    }

    /** {@code newVersion}: must (true) or must not (false) exist already; empty for either. */
    private ImportResult addVersion(Caller caller, String name, List<X509Certificate> chain, PrivateKey key,
            CertificateSource source, Optional<Boolean> newVersion) throws ControllerException {
        ImportResult result = store.write(tx -> {
            List<CertificateVersion> existing = store.certificateVersions(name);
            if (!existing.isEmpty() && newVersion.equals(Optional.of(false))) {
                throw ControllerException.alreadyExists("certificate " + name + " exists (" + existing.size()
                        + " version(s)); use --new-version to add a version, or choose another name");
            }
            if (existing.isEmpty() && newVersion.equals(Optional.of(true))) {
                throw ControllerException.notFound("no certificate named " + name
                        + " to add a version to; import it without --new-version first");
            }
            int number = existing.isEmpty() ? 1 : existing.get(existing.size() - 1).version() + 1;
            CertificateVersion version = new CertificateVersion(name, number, chain, source, tx.now(), tx.revision());
            Assessment assessed = inspector.assess(version);
            if (assessed.expired()) {
                throw ControllerException.invalid("certificate " + name + " expired on " + assessed.facts().notAfter()
                        + "; import a current certificate");
            }
            bindings.checkNewVersion(tx, version, key);
            tx.putCertificateVersion(version, key);
            String verb = source == CertificateSource.ACME ? "issued by ACME" : "imported";
            tx.appendEvent(Event.draft(caller.actor(), number == 1 ? "certificate.imported" : "certificate.version-added",
                    "", name, verb + " " + name + " version " + number + " covering "
                            + String.join(", ", assessed.facts().names()) + ", valid until " + assessed.facts().notAfter()
                            + ", sha256 " + assessed.facts().sha256()));
            return new ImportResult(assessed, warnings(assessed));
        });
        if (result.certificate().version().version() > 1) {
            changes.hostsChanged(store.bindingsOfCertificate(name).stream().map(b -> b.key().host()).distinct().toList());
        }
        return result;
    }

    /** The newest version of every certificate with the bindings using it. */
    public List<CertificateDetail> list() {
        List<CertificateDetail> out = new ArrayList<>();
        for (CertificateVersion latest : store.latestCertificates()) {
            out.add(detail(latest.name(), List.of(latest)));
        }
        return out;
    }

    /** Every version of one certificate. */
    public CertificateDetail show(String name) throws ControllerException {
        CertificateNames.require(name);
        List<CertificateVersion> versions = store.certificateVersions(name);
        if (versions.isEmpty()) {
            throw unknown(name);
        }
        return detail(name, versions);
    }

    /**
     * Deletes every version of a certificate, and its ACME record so it is no longer renewed;
     * refused while any binding uses it.
     */
    public int delete(Caller caller, String name) throws ControllerException {
        CertificateNames.require(name);
        return store.write(tx -> {
            List<CertificateVersion> versions = store.certificateVersions(name);
            if (versions.isEmpty()) {
                throw unknown(name);
            }
            List<Binding> used = store.bindingsOfCertificate(name);
            if (!used.isEmpty()) {
                throw ControllerException.failedPrecondition("certificate " + name + " is bound ("
                        + String.join("; ", used.stream().map(b -> b.key().toString()).toList())
                        + "); unbind it first");
            }
            tx.deleteCertificate(name);
            tx.deleteAcmeOrder(name);
            tx.appendEvent(Event.draft(caller.actor(), "certificate.deleted", "", name,
                    "deleted " + name + " (" + versions.size() + " version(s))"));
            return versions.size();
        });
    }

    /** The warnings an admin should see about an accepted version. */
    List<String> warnings(Assessment a) {
        List<String> out = new ArrayList<>();
        String name = a.version().name();
        if (a.facts().selfSigned()) {
            out.add("certificate " + name + " is self-signed: mail clients will warn that it is untrusted");
        } else if (!a.trust().trusted()) {
            out.add("certificate " + name + " is not trusted (" + a.trust().problem() + ")");
        }
        if (a.facts().notYetValidAt(a.at())) {
            out.add("certificate " + name + " is not valid before " + a.facts().notBefore());
        }
        if (a.facts().notAfter().isBefore(a.at().plus(EXPIRY_WARNING))) {
            out.add("certificate " + name + " expires on " + a.facts().notAfter() + ", in less than "
                    + EXPIRY_WARNING.toDays() + " days");
        }
        return out;
    }

    private CertificateDetail detail(String name, List<CertificateVersion> versions) {
        return new CertificateDetail(name, versions.stream().map(inspector::assess).toList(),
                store.bindingsOfCertificate(name));
    }

    private static Material read(ImportRequest r) throws ControllerException {
        try {
            if (r.isPkcs12()) {
                if (r.chainPem() != null && r.chainPem().length > 0) {
                    throw ControllerException.invalid("give either a PEM certificate or a PKCS#12 bundle, not both");
                }
                return MaterialReader.readPkcs12(r.pkcs12(), r.password() == null ? new char[0] : r.password());
            }
            if (r.chainPem() == null || r.chainPem().length == 0) {
                throw ControllerException.invalid("no certificate given: --cert FILE or --pkcs12 FILE");
            }
            Material chain = MaterialReader.readPem(r.chainPem(), r.password());
            if (r.keyPem() == null || r.keyPem().length == 0) {
                return chain;
            }
            if (chain.key().isPresent()) {
                throw ControllerException.invalid("the certificate file holds a private key and --key gives another;"
                        + " give the key once");
            }
            return new Material(chain.chain(), Optional.of(MaterialReader.readPemKey(r.keyPem(), r.password())));
        } catch (BadMaterialException e) {
            throw ControllerException.invalid(e.getMessage());
        }
    }

    private static List<X509Certificate> order(List<X509Certificate> chain) throws ControllerException {
        try {
            return Chains.order(chain);
        } catch (BadMaterialException e) {
            throw ControllerException.invalid(e.getMessage());
        }
    }

    private static ControllerException unknown(String name) {
        return ControllerException.notFound("no certificate named " + name + "; see `mailcert cert list`");
    }
}
