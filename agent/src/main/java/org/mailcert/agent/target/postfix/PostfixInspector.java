package org.mailcert.agent.target.postfix;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.target.mail.TargetFacts;

/**
 * Reads what Postfix on this host is: its version (per-domain SNI needs 3.4 or later), the TLS
 * endpoints master.cf enables, the mail domains of its domain lists, and conflicts with the
 * parameters this agent owns. Never fails for what it cannot read: that becomes a problem line.
 */
final class PostfixInspector {
    static final String SOFTWARE = "postfix";

    private final PostfixTools tools;
    private final PostfixSettings settings;

    PostfixInspector(PostfixTools tools, PostfixSettings settings) {
        this.tools = tools;
        this.settings = settings;
    }

    TargetFacts inspect() throws InterruptedException {
        List<String> problems = new ArrayList<>();
        String version = "";
        try {
            version = tools.value("mail_version");
        } catch (ToolException e) {
            problems.add("cannot read Postfix's version: " + e.getMessage());
        }
        List<Endpoint> endpoints = endpoints(problems);
        List<String> domains = List.of();
        try {
            domains = MailDomains.discover(tools.expanded(MailDomains.QUERIED), tools::list, problems);
        } catch (ToolException e) {
            problems.add("cannot read the domain lists: " + e.getMessage());
        }
        try {
            conflict(tools.values(PostfixTarget.SNI_MAPS).getOrDefault(PostfixTarget.SNI_MAPS, ""))
                    .ifPresent(problems::add);
        } catch (ToolException e) {
            problems.add("cannot read " + PostfixTarget.SNI_MAPS + ": " + e.getMessage());
        }
        return new TargetFacts(SOFTWARE, version, supportsSni(version), endpoints, domains, problems);
    }

    /** The TLS endpoints to probe; problems go into the list. */
    List<Endpoint> endpoints(List<String> problems) throws InterruptedException {
        try {
            Map<String, String> global = tools.values(MasterServices.GLOBAL_PARAMETERS);
            return MasterServices.endpoints(tools.services(), global, settings.probeAddress(), problems);
        } catch (ToolException e) {
            problems.add("cannot read master.cf's services: " + e.getMessage());
            return List.of();
        }
    }

    /** A problem line if {@code tls_server_sni_maps} is set to a map this agent did not make. */
    java.util.Optional<String> conflict(String sniMaps) {
        if (sniMaps == null || sniMaps.isBlank() || SniMap.managedSource(sniMaps, settings.managedDir()).isPresent()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(PostfixTarget.SNI_MAPS + " is set to " + sniMaps + " in "
                + settings.configDir().resolve("main.cf") + ", not by mailcert: per-domain certificates are not"
                + " managed until the admin removes it (mailcert never overwrites it)");
    }

    /** Whether the version (as {@code mail_version} prints it) is 3.4 or later. */
    static boolean supportsSni(String version) {
        String[] parts = version.strip().split("[.-]");
        try {
            int major = Integer.parseInt(parts[0]);
            int minor = parts.length > 1 ? Integer.parseInt(parts[1].replaceAll("\\D.*", "")) : 0;
            return major > 3 || (major == 3 && minor >= 4);
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
