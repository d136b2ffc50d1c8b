#Requires -Version 5.1
#Requires -RunAsAdministrator
<#
.SYNOPSIS
Installs, upgrades or removes the mailcert agent as the Windows service "mailcert-agent".

.DESCRIPTION
Installs the agent from mailcert-agent-windows.zip, enrolls it with the controller, registers it as a
Windows service with the WinSW wrapper and starts it; run again with a newer zip to upgrade (the identity,
state and settings in the data dir are kept). Before anything changes it finds Java 17 or newer, downloads
WinSW (or takes -WinSW) and checks its pinned SHA-256, unpacks the package and lets the new agent check the
install (`mailcert-agent service install --check`: downgrade, token, controller, targets). Only then does it
stop a running service, replace mailcert-agent.jar, lib\ and mailcert-agent.cmd in -InstallDir and run
`mailcert-agent service install`, which restricts -DataDir to SYSTEM and Administrators, enrolls if needed,
writes the wrapper and waits until the agent is connected. The join token reaches the agent only through
the environment variable MAILCERT_JOIN_TOKEN (or -TokenFile), never on a command line, and is removed again.

.PARAMETER Controller
The controller's HOST:PORT. Needed when this host has no identity yet (first install, or -Force).

.PARAMETER Token
The join token from `mailcert token create --host FQDN`. It stays in this PowerShell session's history:
prefer -TokenFile or setting $env:MAILCERT_JOIN_TOKEN before running the script.

.PARAMETER TokenFile
A file whose first line is the join token.

.PARAMETER Package
Path or https URL of mailcert-agent-windows.zip. Default: the zip next to this script, or the unpacked
package this script sits in.

.PARAMETER Target
What this host serves: mailenable, iis or both (mailenable,iis). Needed on the first install; on an upgrade
it replaces the target entry of DataDir\config.yaml.

.PARAMETER JavaHome
The Java 17+ installation to use. Default: JAVA_HOME, else java.exe on PATH.

.PARAMETER WinSW
Path of WinSW-x64.exe 2.12.0 already downloaded. Default: download it from GitHub. Either way its SHA-256
must be the pinned one.

.PARAMETER InstallDir
Where the program goes. Default: $env:ProgramFiles\mailcert-agent.

.PARAMETER DataDir
Identity, state, settings (config.yaml) and logs. Default: $env:ProgramData\mailcert-agent.

.PARAMETER Force
Enroll again although the data dir holds an identity (needs -Controller and a token).

.PARAMETER AllowDowngrade
Install although the data dir was last used by a newer agent.

.PARAMETER Uninstall
Stop and remove the service and InstallDir; the data dir is kept.

.PARAMETER Purge
With -Uninstall: delete the data dir too (the host's identity is gone for good).

.EXAMPLE
$env:MAILCERT_JOIN_TOKEN = 'mc1...'; .\install-agent.ps1 -Controller mailcert.example.net:7443 -Target mailenable,iis

.EXAMPLE
.\install-agent.ps1 -Package .\mailcert-agent-windows.zip

Upgrade: the identity, state and settings are kept.

.EXAMPLE
.\install-agent.ps1 -Uninstall
#>
[CmdletBinding()]
param(
    [string]$Controller,
    [string]$Token,
    [string]$TokenFile,
    [string]$Package,
    [string[]]$Target,
    [string]$JavaHome,
    [string]$WinSW,
    [string]$InstallDir = "$env:ProgramFiles\mailcert-agent",
    [string]$DataDir = "$env:ProgramData\mailcert-agent",
    [switch]$Force,
    [switch]$AllowDowngrade,
    [switch]$Uninstall,
    [switch]$Purge
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# The same values as org.mailcert.agent.service.WinswBuild.PINNED (InstallScriptTest keeps them equal).
# UNVERIFIED: the hash comes from two independent public pins of the release, not from a download here.
$WinswUrl = 'https://github.com/winsw/winsw/releases/download/v2.12.0/WinSW-x64.exe'
$WinswSha256 = '05b82d46ad331cc16bdc00de5c6332c1ef818df8ceefcd49c726553209b3a0da'
$ServiceName = 'mailcert-agent'
$MainClass = 'org.mailcert.agent.cli.AgentMain'
$Jar = 'mailcert-agent.jar'
$TokenVariable = 'MAILCERT_JOIN_TOKEN'

# The token from -Token or the environment, held here and put back into the environment only for the
# agent's own calls.
$JoinToken = if ($Token) { $Token } else { [Environment]::GetEnvironmentVariable($TokenVariable, 'Process') }
[Environment]::SetEnvironmentVariable($TokenVariable, $null, 'Process')

# A trailing backslash would escape the closing quote of the argument Windows PowerShell 5.1 builds.
$InstallDir = $InstallDir.TrimEnd('\')
$DataDir = $DataDir.TrimEnd('\')

function Find-Java {
    if ($JavaHome) {
        $java = Join-Path $JavaHome 'bin\java.exe'
    } elseif ($env:JAVA_HOME) {
        $java = Join-Path $env:JAVA_HOME 'bin\java.exe'
    } else {
        $command = Get-Command -Name 'java.exe' -CommandType Application -ErrorAction SilentlyContinue |
            Select-Object -First 1
        if (-not $command) {
            throw 'no Java found: install Java 17 or newer, or give -JavaHome'
        }
        $java = $command.Path
    }
    if (-not (Test-Path -LiteralPath $java -PathType Leaf)) {
        throw "no java.exe at $java; give -JavaHome of a Java 17 or newer"
    }
    $major = Get-JavaMajor $java
    if ($major -lt 17) {
        throw "$java is Java $major; the agent needs Java 17 or newer (give -JavaHome)"
    }
    return $java
}

# `java -version` writes to stderr, which Windows PowerShell 5.1 turns into errors under 'Stop'.
function Get-JavaMajor([string]$java) {
    $start = New-Object System.Diagnostics.ProcessStartInfo
    $start.FileName = $java
    $start.Arguments = '-version'
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($start)
    $text = $process.StandardError.ReadToEnd()
    $process.WaitForExit()
    if ($text -notmatch 'version "(\d+)(?:\.(\d+))?') {
        throw "cannot tell which Java $java is"
    }
    $major = [int]$Matches[1]
    if ($major -eq 1 -and $Matches[2]) {
        $major = [int]$Matches[2]
    }
    return $major
}

function Get-Https([string]$url, [string]$file) {
    if ($url -notmatch '^https://') {
        throw "refusing to download ${url}: only https URLs"
    }
    [Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12
    $ProgressPreference = 'SilentlyContinue'
    Invoke-WebRequest -Uri $url -OutFile $file -UseBasicParsing
}

# Copies (or downloads) WinSW into the staging dir and checks the copy, which is what gets installed.
function Get-VerifiedWinsw([string]$staging) {
    $copy = Join-Path $staging 'WinSW-x64.exe'
    if ($WinSW) {
        Copy-Item -LiteralPath $WinSW -Destination $copy
    } else {
        Write-Host "downloading $WinswUrl"
        Get-Https $WinswUrl $copy
    }
    $hash = (Get-FileHash -LiteralPath $copy -Algorithm SHA256).Hash.ToLowerInvariant()
    if ($hash -ne $WinswSha256) {
        throw "WinSW has SHA-256 $hash, not the pinned $WinswSha256; nothing was changed"
    }
    return $copy
}

# The unpacked package: the directory that holds mailcert-agent.jar.
function Expand-Package([string]$staging) {
    $zip = $Package
    if (-not $zip) {
        $beside = Join-Path $PSScriptRoot 'mailcert-agent-windows.zip'
        if (Test-Path -LiteralPath $beside -PathType Leaf) {
            $zip = $beside
        } elseif (Test-Path -LiteralPath (Join-Path $PSScriptRoot $Jar) -PathType Leaf) {
            return $PSScriptRoot
        } else {
            throw "no package: give -Package (mailcert-agent-windows.zip, a path or https URL)"
        }
    }
    if ($zip -match '^[a-z]+://') {
        $download = Join-Path $staging 'mailcert-agent-windows.zip'
        Get-Https $zip $download
        $zip = $download
    }
    $unpacked = Join-Path $staging 'package'
    Expand-Archive -LiteralPath $zip -DestinationPath $unpacked
    $jarFile = Get-ChildItem -LiteralPath $unpacked -Filter $Jar -Recurse | Select-Object -First 1
    if (-not $jarFile) {
        throw "$zip holds no $Jar"
    }
    return $jarFile.DirectoryName
}

# Runs the agent with the join token in its environment for this call only; returns its exit code.
function Invoke-Agent([string]$java, [string]$jarFile, [string[]]$arguments) {
    try {
        if ($script:JoinToken -and -not $TokenFile) {
            [Environment]::SetEnvironmentVariable($TokenVariable, $script:JoinToken, 'Process')
        }
        & $java -cp $jarFile $MainClass @arguments | Out-Host
        return $LASTEXITCODE
    } finally {
        [Environment]::SetEnvironmentVariable($TokenVariable, $null, 'Process')
    }
}

function Get-InstallArguments([string]$java, [string]$winswCopy) {
    $arguments = @('service', 'install', '--install-dir', $InstallDir, '--data-dir', $DataDir,
        '--winsw', $winswCopy, '--java', $java)
    if ($Controller) { $arguments += @('--controller', $Controller) }
    if ($TokenFile) { $arguments += @('--token-file', (Resolve-Path -LiteralPath $TokenFile).ProviderPath) }
    if ($Target) { $arguments += @('--target', ($Target -join ',')) }
    if ($Force) { $arguments += '--force' }
    if ($AllowDowngrade) { $arguments += '--allow-downgrade' }
    return $arguments
}

function Stop-AgentService {
    $service = Get-Service -Name $ServiceName -ErrorAction SilentlyContinue
    if ($service -and $service.Status -ne 'Stopped') {
        Write-Host "stopping the service $ServiceName"
        Stop-Service -Name $ServiceName -Force
        $service.WaitForStatus('Stopped', [TimeSpan]::FromSeconds(60))
    }
}

# Replaces the program files; the wrapper and its XML are the agent's to replace.
function Copy-Program([string]$packageDir) {
    New-Item -ItemType Directory -Path $InstallDir -Force | Out-Null
    foreach ($old in @($Jar, 'lib', 'mailcert-agent.cmd')) {
        $path = Join-Path $InstallDir $old
        if (Test-Path -LiteralPath $path) {
            Remove-Item -LiteralPath $path -Recurse -Force
        }
    }
    Copy-Item -LiteralPath (Join-Path $packageDir $Jar) -Destination $InstallDir
    Copy-Item -LiteralPath (Join-Path $packageDir 'lib') -Destination $InstallDir -Recurse
    Copy-Item -LiteralPath (Join-Path $packageDir 'mailcert-agent.cmd') -Destination $InstallDir
}

function Invoke-Uninstall([string]$java) {
    $jarFile = Join-Path $InstallDir $Jar
    if (-not (Test-Path -LiteralPath $jarFile -PathType Leaf)) {
        throw "$jarFile is missing; remove the service with: sc.exe stop $ServiceName; sc.exe delete $ServiceName"
    }
    $arguments = @('service', 'uninstall', '--install-dir', $InstallDir, '--data-dir', $DataDir)
    if ($Purge) { $arguments += '--purge' }
    $code = Invoke-Agent $java $jarFile $arguments
    if ($code -ne 0) {
        return $code
    }
    Remove-Item -LiteralPath $InstallDir -Recurse -Force
    Write-Host "removed $InstallDir"
    return 0
}

function Invoke-Install([string]$java, [string]$staging) {
    $winswCopy = Get-VerifiedWinsw $staging
    $packageDir = Expand-Package $staging
    $arguments = Get-InstallArguments $java $winswCopy
    $code = Invoke-Agent $java (Join-Path $packageDir $Jar) ($arguments + '--check')
    if ($code -ne 0) {
        return $code
    }
    Stop-AgentService
    Copy-Program $packageDir
    $code = Invoke-Agent $java (Join-Path $InstallDir $Jar) $arguments
    if ($code -eq 0) {
        Write-Host ''
        Write-Host 'next:'
        Write-Host "  status:   & '$InstallDir\mailcert-agent.cmd' status --data-dir '$DataDir'"
        Write-Host "  settings: $DataDir\config.yaml (then Restart-Service $ServiceName)"
        Write-Host "  logs:     $DataDir\logs"
        Write-Host "  upgrade:  run this script again with the new package"
    }
    return $code
}

$staging = Join-Path $env:TEMP ('mailcert-agent-' + [Guid]::NewGuid().ToString('N'))
$exitCode = 1
try {
    $java = Find-Java
    if ($Uninstall) {
        $exitCode = Invoke-Uninstall $java
    } else {
        New-Item -ItemType Directory -Path $staging | Out-Null
        $exitCode = Invoke-Install $java $staging
    }
} catch {
    Write-Host "install-agent.ps1: $($_.Exception.Message)" -ForegroundColor Red
    $exitCode = 1
} finally {
    if (Test-Path -LiteralPath $staging) {
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction SilentlyContinue
    }
}
exit $exitCode
