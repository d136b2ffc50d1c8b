@echo off
rem The mailcert agent's command line, as installed by install-agent.ps1 (the service runs java directly).
rem Java comes from MAILCERT_JAVA (the path of java.exe) or PATH.
setlocal
set "JAVA=java"
if defined MAILCERT_JAVA set "JAVA=%MAILCERT_JAVA%"
"%JAVA%" %MAILCERT_JAVA_OPTS% -cp "%~dp0mailcert-agent.jar" org.mailcert.agent.cli.AgentMain %*
exit /b %ERRORLEVEL%
