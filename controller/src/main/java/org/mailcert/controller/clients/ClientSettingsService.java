package org.mailcert.controller.clients;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.mailcert.controller.ControllerException;
import org.mailcert.controller.Names;
import org.mailcert.controller.certs.Assessment;
import org.mailcert.controller.certs.CertificateInspector;
import org.mailcert.controller.model.Binding;
import org.mailcert.controller.model.BindingKey;
import org.mailcert.controller.model.Host;
import org.mailcert.controller.model.Scope;
import org.mailcert.controller.store.Store;

/**
 * Answers which host names the mail clients of a domain should use so that no certificate
 * warning appears: {@code mail.<d>} where a valid per-domain certificate is bound, else the host's
 * FQDN if its server certificate is valid, else a warning that clients will see an untrusted
 * certificate.
 */
public final class ClientSettingsService {
    private final Store store;
    private final CertificateInspector inspector;

    public ClientSettingsService(Store store, CertificateInspector inspector) {
        this.store = store;
        this.inspector = inspector;
    }

    /** Settings for every host that serves {@code domainName}. */
    public List<HostClientSettings> forDomain(String domainName) throws ControllerException {
        String domain = Names.domain(domainName);
        TreeSet<String> hosts = new TreeSet<>();
        for (Binding b : store.bindings()) {
            if (b.key().domain().equals(domain)) {
                hosts.add(b.key().host());
            }
        }
        for (Host h : store.hosts()) {
            if (store.hostStatus(h.fqdn()).discoveredDomains().contains(domain)) {
                hosts.add(h.fqdn());
            }
        }
        if (hosts.isEmpty()) {
            throw ControllerException.notFound("no host serves " + domain + ": bind a mail or webmail certificate for it"
                    + " (`mailcert bind HOST mail " + domain + " CERT`)");
        }
        List<HostClientSettings> out = new ArrayList<>();
        for (String fqdn : hosts) {
            out.add(forHost(fqdn, domain));
        }
        return out;
    }

    private HostClientSettings forHost(String fqdn, String domain) {
        List<String> reasons = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Optional<Assessment> server = assessed(new BindingKey(fqdn, Scope.SERVER, ""));
        Optional<Assessment> mail = assessed(new BindingKey(fqdn, Scope.MAIL, domain));
        Optional<Assessment> webmail = assessed(new BindingKey(fqdn, Scope.WEBMAIL, domain));
        String mailName = "mail." + domain;
        String serverProblem = server.map(a -> a.problemFor(fqdn)).orElse("host " + fqdn + " has no server certificate");
        boolean serverValid = serverProblem.isEmpty();

        String mailHost;
        String mailProblem = mail.map(a -> a.problemFor(mailName)).orElse("no per-domain certificate is bound for " + mailName);
        if (mailProblem.isEmpty()) {
            mailHost = mailName;
            reasons.add("a valid per-domain certificate is bound for " + mailName);
            if (!serverValid) {
                warnings.add("the server certificate is not valid (" + serverProblem + "): clients that send no SNI"
                        + " (many SMTP senders on port 25) will see it");
            }
        } else if (serverValid) {
            mailHost = fqdn;
            reasons.add(mailProblem + ", so clients should use the host name " + fqdn
                    + ", whose server certificate is valid");
        } else {
            mailHost = mail.isPresent() ? mailName : fqdn;
            warnings.add("every client will see an untrusted certificate: " + mailProblem + " and " + serverProblem);
        }

        String webmailName = "webmail." + domain;
        String webmailUrl;
        String webmailProblem = webmail.map(a -> a.problemFor(webmailName))
                .orElse("no webmail certificate is bound for " + webmailName);
        if (webmailProblem.isEmpty()) {
            webmailUrl = "https://" + webmailName + "/";
            reasons.add("a valid certificate is bound for " + webmailName);
        } else if (serverValid) {
            webmailUrl = "https://" + fqdn + "/";
            reasons.add(webmailProblem + ", so webmail users should use the host name " + fqdn);
        } else {
            webmailUrl = webmail.isPresent() ? "https://" + webmailName + "/" : "";
            warnings.add("webmail users will see an untrusted certificate: " + webmailProblem);
        }
        return new HostClientSettings(fqdn, mailHost, mailHost, mailHost, webmailUrl, reasons, warnings);
    }

    private Optional<Assessment> assessed(BindingKey key) {
        return store.binding(key).flatMap(b -> store.certificate(b.certificate())).map(inspector::assess);
    }
}
