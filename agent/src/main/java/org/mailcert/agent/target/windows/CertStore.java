package org.mailcert.agent.target.windows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.mailcert.agent.target.Binding;
import org.mailcert.agent.target.TargetException;
import org.mailcert.common.pki.Fingerprints;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The machine's personal certificate store {@code Cert:\LocalMachine\My}, where IIS and MailEnable find
 * their certificates. A certificate is identified by its thumbprint (SHA-1 of the DER, upper-case hex, as
 * Windows shows it). Imports go through a PFX the agent writes to its data dir readable only by itself,
 * deleted as soon as PowerShell has read it; the key is imported non-exportable (no {@code -Exportable}).
 */
public final class CertStore {
    /** The PowerShell path of the store, before the thumbprint. */
    static final String STORE = "Cert:\\LocalMachine\\My\\";
    private static final Logger LOG = LoggerFactory.getLogger(CertStore.class);
    private static final String ITEM = "('" + STORE + "' + $env:MAILCERT_THUMBPRINT)";

    private final PowerShell powershell;
    private final Platform platform;
    private final Path scratch;

    /**
     * @param powershell runs the store's scripts
     * @param platform writes the private PFX file
     * @param scratch the agent's directory for PFX files (under its data dir)
     */
    public CertStore(PowerShell powershell, Platform platform, Path scratch) {
        this.powershell = Objects.requireNonNull(powershell, "powershell");
        this.platform = Objects.requireNonNull(platform, "platform");
        this.scratch = Objects.requireNonNull(scratch, "scratch");
    }

    /** The certificate's Windows thumbprint: SHA-1 of its DER, upper-case hex. */
    public static String thumbprint(X509Certificate certificate) {
        return Fingerprints.sha1Hex(certificate).toUpperCase(Locale.ROOT);
    }

    /** Whether the store holds the certificate (its key is not checked). */
    public boolean contains(String thumbprint) throws TargetException, InterruptedException {
        String out = powershell.run("look for certificate " + thumbprint + " in the store",
                List.of("if (Test-Path -LiteralPath " + ITEM + ") { 'present' } else { 'absent' }"),
                Map.of("MAILCERT_THUMBPRINT", thumbprint));
        return out.strip().equals("present");
    }

    /**
     * Imports the binding's key and chain with the key non-exportable and sets the leaf's FriendlyName.
     * The PFX is deleted whatever happens.
     * UNVERIFIED: that Import-PfxCertificate puts the intermediates into {@code My} beside the leaf
     * (Schannel finds them there or in the Intermediate store to send the chain).
     */
    public void importPfx(Binding binding, String friendlyName) throws TargetException, InterruptedException {
        String thumbprint = thumbprint(binding.leaf());
        char[] password = Pfx.password();
        Path file;
        try {
            file = platform.writePrivate(scratch, "import-", Pfx.of(binding, friendlyName, password));
        } catch (IOException e) {
            throw new TargetException(powershell.target(), "cannot write the PFX for " + binding.servedName() + " under "
                    + scratch + ": " + e.getMessage(), Map.of(binding.id(), "cannot write its PFX"), true, e);
        }
        try {
            powershell.run("import certificate " + thumbprint + " (" + binding.servedName() + ")", List.of(
                    "$pw = ConvertTo-SecureString -String $env:MAILCERT_PFX_PASSWORD -AsPlainText -Force",
                    "$imported = Import-PfxCertificate -FilePath $env:MAILCERT_PFX_FILE -CertStoreLocation"
                            + " Cert:\\LocalMachine\\My -Password $pw",
                    "$leaf = $imported | Where-Object { $_.Thumbprint -eq $env:MAILCERT_THUMBPRINT }",
                    "if (-not $leaf) { throw ('the PFX did not yield certificate ' + $env:MAILCERT_THUMBPRINT) }",
                    "$leaf.FriendlyName = $env:MAILCERT_FRIENDLY_NAME"),
                    Map.of("MAILCERT_PFX_FILE", file.toString(), "MAILCERT_PFX_PASSWORD", new String(password),
                            "MAILCERT_THUMBPRINT", thumbprint, "MAILCERT_FRIENDLY_NAME", friendlyName));
        } finally {
            Arrays.fill(password, '\0');
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("cannot delete the PFX {} (readable by the agent only): {}", file, e.getMessage());
            }
        }
    }

    /**
     * Lets {@code account} read the certificate's private key file (RSA or ECDSA, CNG or legacy CSP).
     * UNVERIFIED: the key file locations ({@code %ProgramData%\Microsoft\Crypto\Keys} for CNG,
     * {@code ...\Crypto\RSA\MachineKeys} for CSP) and that a file ACL is what Schannel checks for the
     * service account.
     */
    public void grantKeyRead(String thumbprint, String account) throws TargetException, InterruptedException {
        powershell.run("let " + account + " read the key of certificate " + thumbprint, List.of(
                "$c = Get-Item -LiteralPath " + ITEM,
                "$k = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($c)",
                "if (-not $k) { $k = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]"
                        + "::GetECDsaPrivateKey($c) }",
                "if ($k.Key) { $name = $k.Key.UniqueName } else { $name = $k.CspKeyContainerInfo.UniqueKeyContainerName }",
                "$path = @((Join-Path $env:ProgramData ('Microsoft\\Crypto\\Keys\\' + $name)), (Join-Path $env:ProgramData"
                        + " ('Microsoft\\Crypto\\RSA\\MachineKeys\\' + $name))) | Where-Object { Test-Path -LiteralPath $_ }"
                        + " | Select-Object -First 1",
                "if (-not $path) { throw ('no key file for certificate ' + $env:MAILCERT_THUMBPRINT) }",
                "$acl = Get-Acl -LiteralPath $path",
                "$acl.AddAccessRule((New-Object System.Security.AccessControl.FileSystemAccessRule($env:MAILCERT_KEY_READER,"
                        + " 'Read', 'Allow')))",
                "Set-Acl -LiteralPath $path -AclObject $acl"),
                Map.of("MAILCERT_THUMBPRINT", thumbprint, "MAILCERT_KEY_READER", account));
    }

    /**
     * Renames every other certificate whose FriendlyName is {@code friendlyName} to {@code friendlyName
     * (replaced)} so software that picks a certificate by name (MailEnable) can only find the new one.
     *
     * @return the thumbprints renamed, for {@link #restoreName}
     */
    public List<String> retireName(String friendlyName, String keep) throws TargetException, InterruptedException {
        String out = powershell.run("rename older certificates named " + friendlyName, List.of(
                "Get-ChildItem -Path Cert:\\LocalMachine\\My | Where-Object { $_.FriendlyName -eq $env:MAILCERT_FRIENDLY_NAME"
                        + " -and $_.Thumbprint -ne $env:MAILCERT_THUMBPRINT } | ForEach-Object { $_.FriendlyName ="
                        + " $env:MAILCERT_FRIENDLY_NAME + ' (replaced)'; $_.Thumbprint }"),
                Map.of("MAILCERT_FRIENDLY_NAME", friendlyName, "MAILCERT_THUMBPRINT", keep));
        return out.lines().map(String::strip).filter(l -> l.matches("[0-9A-Fa-f]{40}")).toList();
    }

    /** Gives the certificate its FriendlyName back (undoes {@link #retireName}). */
    public void restoreName(String thumbprint, String friendlyName) throws TargetException, InterruptedException {
        powershell.run("rename certificate " + thumbprint + " back", List.of(
                "(Get-Item -LiteralPath " + ITEM + ").FriendlyName = $env:MAILCERT_FRIENDLY_NAME"),
                Map.of("MAILCERT_THUMBPRINT", thumbprint, "MAILCERT_FRIENDLY_NAME", friendlyName));
    }

    /**
     * Removes the certificate and its key from the store.
     * UNVERIFIED: {@code -DeleteKey} of the certificate provider's Remove-Item on every supported Windows.
     */
    public void remove(String thumbprint) throws TargetException, InterruptedException {
        powershell.run("remove certificate " + thumbprint, List.of(
                "if (Test-Path -LiteralPath " + ITEM + ") { Remove-Item -LiteralPath " + ITEM + " -DeleteKey }"),
                Map.of("MAILCERT_THUMBPRINT", thumbprint));
    }
}
