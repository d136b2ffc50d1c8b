/**
 * The agent as a Windows service: {@code mailcert-agent service install} restricts the data dir to SYSTEM
 * and Administrators, enrolls once, writes the service's config file, registers the agent with the WinSW
 * service wrapper and starts it, and waits until it is connected to the controller; {@code service
 * uninstall} removes the service and keeps (or purges) the identity and state. Every external program
 * ({@code icacls}, {@code sc.exe}, the WinSW executable) runs through the command runner, so the steps are
 * tested on Linux against a simulated host and golden command lists. {@code install-agent.ps1} is the thin
 * bootstrap that puts the files in place and calls these commands.
 */
package org.mailcert.agent.service;
