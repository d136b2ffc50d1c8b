package org.mailcert.agent.target.iis;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.mailcert.agent.target.TargetException;
import org.mailcert.agent.target.windows.PowerShell;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * IIS sites and their bindings through the WebAdministration module: {@code Get-Website} and {@code
 * Get-WebBinding} as JSON ({@code ConvertTo-Json}, read with snakeyaml-engine's JSON schema, the YAML 1.2
 * parser the agent already has), {@code New-WebBinding} and {@code Remove-WebBinding}. Site names, host
 * names and ports reach the scripts as environment variables.
 */
final class IisSites {
    private static final String MODULE = "Import-Module WebAdministration";

    private final PowerShell powershell;

    IisSites(PowerShell powershell) {
        this.powershell = Objects.requireNonNull(powershell, "powershell");
    }

    /** An IIS site; {@code physicalPath} with environment variables expanded. */
    record Site(String name, String physicalPath, long id) {
    }

    /**
     * A site binding.
     *
     * @param bindingInformation {@code IP:PORT:HOST} ({@code *:443:webmail.example.com})
     * @param sslFlags IIS's flags; bit 1 is SNI
     */
    record WebBinding(String protocol, String bindingInformation, int sslFlags) {
        /** Whether this is the https binding of {@code host} on {@code port}. */
        boolean serves(String host, int port) {
            return protocol.equalsIgnoreCase("https") && bindingInformation.toLowerCase(Locale.ROOT).endsWith(":" + port
                    + ":" + host);
        }

        /** Whether the binding asks HTTP.sys for the certificate by host name (SNI). */
        boolean sni() {
            return (sslFlags & 1) != 0;
        }
    }

    /** Every site. */
    List<Site> sites() throws TargetException, InterruptedException {
        String out = powershell.run("list the IIS sites", List.of(MODULE, "ConvertTo-Json -InputObject @(Get-Website"
                + " | Select-Object name,@{n='physicalPath';e={[Environment]::ExpandEnvironmentVariables($_.physicalPath)}},id)"),
                Map.of());
        List<Site> sites = new ArrayList<>();
        for (Map<?, ?> m : parsed(out, "Get-Website")) {
            sites.add(new Site(text(m.get("name")), text(m.get("physicalPath")), number(m.get("id"))));
        }
        return sites;
    }

    /**
     * The one site whose physical path is {@code path} (compared as Windows does: case-insensitive, with
     * either slash, without a trailing one).
     *
     * @throws TargetException naming the sites found if none or several have that path
     */
    Site webmailSite(String path, String target) throws TargetException, InterruptedException {
        List<Site> all = sites();
        List<Site> matching = all.stream().filter(s -> samePath(s.physicalPath(), path)).toList();
        if (matching.size() == 1) {
            return matching.get(0);
        }
        String listed = all.isEmpty() ? "none" : String.join(", ", all.stream().map(s -> "'" + s.name() + "' ("
                + s.physicalPath() + ")").toList());
        if (matching.isEmpty()) {
            throw new TargetException(target, "no IIS site has the physical path " + path + " (MailEnable's webmail);"
                    + " sites: " + listed + "; give the webmail site's path with --iis-webmail-path");
        }
        throw new TargetException(target, matching.size() + " IIS sites have the physical path " + path + " ("
                + String.join(", ", matching.stream().map(s -> "'" + s.name() + "'").toList()) + "); mailcert cannot"
                + " tell which one serves webmail: stop or change the others");
    }

    static boolean samePath(String a, String b) {
        return normal(a).equals(normal(b));
    }

    private static String normal(String path) {
        String p = path.strip().replace('/', '\\').toLowerCase(Locale.ROOT);
        while (p.endsWith("\\")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /**
     * The site's bindings.
     * UNVERIFIED: that {@code -Name} takes the site name literally (a name with wildcard characters).
     */
    List<WebBinding> bindings(Site site) throws TargetException, InterruptedException {
        String out = powershell.run("list the bindings of IIS site " + site.name(), List.of(MODULE,
                "ConvertTo-Json -InputObject @(Get-WebBinding -Name $env:MAILCERT_SITE | Select-Object"
                        + " protocol,bindingInformation,sslFlags)"), Map.of("MAILCERT_SITE", site.name()));
        List<WebBinding> bindings = new ArrayList<>();
        for (Map<?, ?> m : parsed(out, "Get-WebBinding")) {
            bindings.add(new WebBinding(text(m.get("protocol")), text(m.get("bindingInformation")), flags(m.get("sslFlags"))));
        }
        return bindings;
    }

    /** Adds an https binding for {@code host} on {@code port}, any address, with SNI ({@code -SslFlags 1}). */
    void addBinding(Site site, String host, int port) throws TargetException, InterruptedException {
        powershell.run("add an https binding for " + host + " to IIS site " + site.name(), List.of(MODULE,
                "New-WebBinding -Name $env:MAILCERT_SITE -Protocol https -IPAddress '*' -Port $env:MAILCERT_PORT"
                        + " -HostHeader $env:MAILCERT_HOST -SslFlags 1"), variables(site, host, port));
    }

    /** Removes the https binding {@link #addBinding} added. */
    void removeBinding(Site site, String host, int port) throws TargetException, InterruptedException {
        powershell.run("remove the https binding for " + host + " from IIS site " + site.name(), List.of(MODULE,
                "Remove-WebBinding -Name $env:MAILCERT_SITE -Protocol https -IPAddress '*' -Port $env:MAILCERT_PORT"
                        + " -HostHeader $env:MAILCERT_HOST"), variables(site, host, port));
    }

    private static Map<String, String> variables(Site site, String host, int port) {
        return Map.of("MAILCERT_SITE", site.name(), "MAILCERT_HOST", host, "MAILCERT_PORT", Integer.toString(port));
    }

    private List<Map<?, ?>> parsed(String json, String what) throws TargetException {
        try {
            return records(json, what);
        } catch (IllegalArgumentException e) {
            throw new TargetException(powershell.target(), e.getMessage());
        }
    }

    /** The objects of a {@code ConvertTo-Json} output: an array, one object, or nothing. */
    static List<Map<?, ?>> records(String json, String what) {
        String text = json.replace("\uFEFF", "").strip();
        if (text.isEmpty()) {
            return List.of();
        }
        Object doc;
        try {
            doc = new Load(LoadSettings.builder().setSchema(new JsonSchema()).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(what + " did not print JSON: " + e.getMessage().lines().findFirst()
                    .orElse(""), e);
        }
        List<?> items = doc instanceof List<?> l ? l : List.of(doc);
        List<Map<?, ?>> out = new ArrayList<>();
        for (Object o : items) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new IllegalArgumentException(what + " printed JSON that is not a list of objects");
            }
            out.add(m);
        }
        return out;
    }

    private static String text(Object o) {
        return o == null ? "" : o.toString();
    }

    private static long number(Object o) {
        return o instanceof Number n ? n.longValue() : -1;
    }

    /** sslFlags as a number, or as flag names ({@code Sni}) should the module print those. */
    private static int flags(Object o) {
        if (o instanceof Number n) {
            return n.intValue();
        }
        return o != null && o.toString().toLowerCase(Locale.ROOT).contains("sni") ? 1 : 0;
    }

    /** The https binding of {@code host} on {@code port}, if the site has one. */
    static Optional<WebBinding> find(List<WebBinding> bindings, String host, int port) {
        return bindings.stream().filter(b -> b.serves(host, port)).findFirst();
    }
}
