/**
 * What the Windows targets ({@code mailenable}, {@code iis}) share: the platform seam (is this Windows,
 * where may a private file go), PowerShell scripts run through the command runner with values in
 * environment variables, the registry through {@code reg.exe}, services through {@code sc.exe}, and the
 * machine certificate store {@code Cert:\LocalMachine\My}. Nothing here loads native code, so the agent
 * jar runs on Windows with only a JRE; on Linux the same code is tested through a recording runner.
 */
package org.mailcert.agent.target.windows;
