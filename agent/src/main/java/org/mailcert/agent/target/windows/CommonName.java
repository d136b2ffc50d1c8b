package org.mailcert.agent.target.windows;

import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import org.mailcert.agent.target.Binding;
import org.mailcert.common.names.DnsNames;

/** The name a Windows target gives a certificate in the store: its subject's CN, when that is a DNS name. */
public final class CommonName {
    private CommonName() {
    }

    /**
     * The leaf's CN, lower case, if it is a valid host name or wildcard pattern (so it can be a
     * FriendlyName and a registry value without quoting); empty otherwise.
     */
    public static Optional<String> of(Binding binding) {
        try {
            LdapName name = new LdapName(binding.leaf().getSubjectX500Principal().getName());
            for (Rdn rdn : name.getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN") && rdn.getValue() instanceof String cn) {
                    return Optional.of(DnsNames.pattern(cn));
                }
            }
        } catch (InvalidNameException | org.mailcert.common.names.InvalidNameException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
