package org.mailcert.controller.acme;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * DNS look-ups for DNS-01: where a TXT record must be written when {@code _acme-challenge.<d>} is
 * a CNAME into another zone (delegation), which zone holds a name, and the addresses of that zone's
 * authoritative servers. Asks the system's resolvers, or for tests and private setups a given list
 * of servers, in which case the authoritative servers are reached on a given port.
 */
public final class Delegation {
    /** More CNAMEs in a row than this is a loop or a mistake. */
    private static final int MAX_CNAME_HOPS = 8;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Resolver resolver;
    private final String description;
    private final int authoritativePort;

    private Delegation(Resolver resolver, String description, int authoritativePort) {
        this.resolver = resolver;
        this.description = description;
        this.authoritativePort = authoritativePort;
    }

    /** Look-ups through the system's resolvers ({@code /etc/resolv.conf}); authoritative servers on port 53. */
    public static Delegation system() {
        ExtendedResolver resolver = new ExtendedResolver();
        resolver.setTimeout(DEFAULT_TIMEOUT);
        return new Delegation(resolver, "the system resolvers", SimpleResolver.DEFAULT_PORT);
    }

    /**
     * Look-ups at {@code servers} ({@code host:port} each) instead of the system's resolvers; the
     * authoritative servers found through them are queried on {@code authoritativePort}.
     */
    public static Delegation using(List<String> servers, int authoritativePort) {
        return using(servers, authoritativePort, DEFAULT_TIMEOUT);
    }

    /** Like {@link #using(List, int)}, waiting at most {@code timeout} for each answer. */
    public static Delegation using(List<String> servers, int authoritativePort, Duration timeout) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server to look names up at is needed");
        }
        if (authoritativePort < 1 || authoritativePort > 65535) {
            throw new IllegalArgumentException("authoritative port " + authoritativePort + " is not in 1..65535");
        }
        List<Resolver> resolvers = new ArrayList<>();
        for (String server : servers) {
            InetSocketAddress address = socketAddress(server);
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("cannot resolve the host of '" + server + "'");
            }
            resolvers.add(new SimpleResolver(address));
        }
        return over(resolvers, String.join(", ", servers), authoritativePort, timeout);
    }

    /** Look-ups at the one server {@code server} only (an RFC 2136 primary, to find a zone). */
    static Delegation at(InetSocketAddress server, Duration timeout) {
        return over(List.of(new SimpleResolver(server)), server.getHostString() + ":" + server.getPort(),
                SimpleResolver.DEFAULT_PORT, timeout);
    }

    private static Delegation over(List<Resolver> resolvers, String description, int authoritativePort, Duration timeout) {
        for (Resolver one : resolvers) {
            one.setTimeout(timeout);
        }
        ExtendedResolver resolver = new ExtendedResolver(resolvers);
        resolver.setTimeout(timeout);
        return new Delegation(resolver, description, authoritativePort);
    }

    /**
     * Where the TXT record for {@code recordName} must be written: the end of its CNAME chain, or
     * {@code recordName} itself when it is no alias. Absolute, with the trailing dot.
     */
    public static String resolveDelegation(String recordName) throws AcmeException {
        return system().target(recordName);
    }

    /** Like {@link #resolveDelegation}, with this instance's resolvers. */
    public String target(String recordName) throws AcmeException {
        return followCnames(absolute(recordName)).toString();
    }

    Name followCnames(Name name) throws AcmeException {
        Name current = name;
        for (int hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
            Optional<Name> next = cnameOf(current);
            if (next.isEmpty()) {
                return current;
            }
            current = next.get();
        }
        throw new AcmeException(AcmeException.Kind.DNS, name + " is a chain of more than " + MAX_CNAME_HOPS
                + " CNAMEs (a loop?); point _acme-challenge at the zone that holds the TXT record");
    }

    private Optional<Name> cnameOf(Name name) throws AcmeException {
        Message response = lookup(name, Type.CNAME);
        for (Record answer : response.getSection(Section.ANSWER)) {
            if (answer instanceof CNAMERecord cname && answer.getName().equals(name)) {
                return Optional.of(cname.getTarget());
            }
        }
        return Optional.empty();
    }

    /** The zone that holds {@code name}: the owner of the SOA record found for it, walking up labels. */
    Name zoneOf(Name name) throws AcmeException {
        for (Name candidate = name; candidate.labels() > 1; candidate = parent(candidate)) {
            Message response = lookup(candidate, Type.SOA);
            for (int section : new int[] {Section.ANSWER, Section.AUTHORITY}) {
                for (Record soa : response.getSection(section)) {
                    if (soa.getType() == Type.SOA && name.subdomain(soa.getName())) {
                        return soa.getName();
                    }
                }
            }
        }
        throw new AcmeException(AcmeException.Kind.DNS, "no zone (SOA record) found for " + name + " at " + description);
    }

    /**
     * The authoritative servers of {@code zone}: its NS names, each with the address it is queried
     * at (one per NS name; the first address found).
     */
    Map<String, InetSocketAddress> authoritativeServers(Name zone) throws AcmeException {
        Map<String, InetSocketAddress> servers = new LinkedHashMap<>();
        for (Record record : lookup(zone, Type.NS).getSection(Section.ANSWER)) {
            if (record instanceof NSRecord ns && record.getName().equals(zone)) {
                addressOf(ns.getTarget()).ifPresent(address ->
                        servers.put(ns.getTarget().toString(true), new InetSocketAddress(address, authoritativePort)));
            }
        }
        if (servers.isEmpty()) {
            throw new AcmeException(AcmeException.Kind.DNS, "no authoritative server with an address found for zone "
                    + zone + " at " + description);
        }
        return servers;
    }

    private Optional<InetAddress> addressOf(Name host) throws AcmeException {
        for (int type : new int[] {Type.A, Type.AAAA}) {
            for (Record record : lookup(host, type).getSection(Section.ANSWER)) {
                if (record instanceof ARecord a) {
                    return Optional.of(a.getAddress());
                }
                if (record instanceof AAAARecord aaaa) {
                    return Optional.of(aaaa.getAddress());
                }
            }
        }
        return Optional.empty();
    }

    private Message lookup(Name name, int type) throws AcmeException {
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        Message response;
        try {
            response = resolver.send(query);
        } catch (IOException e) {
            throw new AcmeException(AcmeException.Kind.DNS, "looking up " + Type.string(type) + " " + name + " at "
                    + description + " failed: " + e.getMessage(), Optional.empty(), e);
        }
        int rcode = response.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new AcmeException(AcmeException.Kind.DNS, "looking up " + Type.string(type) + " " + name + " at "
                    + description + " failed: " + Rcode.string(rcode));
        }
        return response;
    }

    /** {@code name} as an absolute DNS name (a missing trailing dot is added). */
    static Name absolute(String name) throws AcmeException {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new AcmeException(AcmeException.Kind.CONFIGURATION, "'" + name + "' is not a DNS name: " + e.getMessage(),
                    Optional.empty(), e);
        }
    }

    /** {@code host:port} (IPv6 as {@code [addr]:port}) as a socket address; resolves a host name. */
    static InetSocketAddress socketAddress(String hostPort) {
        InetSocketAddress unresolved = unresolved(hostPort);
        return new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
    }

    /** {@code host:port} (IPv6 as {@code [addr]:port}) checked and split, without a look-up. */
    static InetSocketAddress unresolved(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String port = hostPort.substring(colon + 1);
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw new IllegalArgumentException("'" + hostPort + "' needs a port in 1..65535");
        }
        return InetSocketAddress.createUnresolved(host, Integer.parseInt(port));
    }

    private static Name parent(Name name) {
        return new Name(name, 1);
    }
}
