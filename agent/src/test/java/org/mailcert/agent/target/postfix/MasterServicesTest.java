package org.mailcert.agent.target.postfix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mailcert.agent.probe.Endpoint;
import org.mailcert.agent.probe.Protocol;

class MasterServicesTest {
    /** Debian's master.cf with submission and smtps enabled, as {@code postconf -M} prints it. */
    static final String DEBIAN = """
            smtp       inet  n       -       y       -       -       smtpd
            submission inet  n       -       y       -       -       smtpd -o syslog_name=postfix/submission -o smtpd_tls_security_level=encrypt -o smtpd_sasl_auth_enable=yes
            smtps      inet  n       -       y       -       -       smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o smtpd_sasl_auth_enable=yes
            pickup     unix  n       -       y       60      1       pickup
            smtp       unix  -       -       y       -       -       smtp
            """;

    @Test
    void debiansServicesAreSmtpSubmissionAndSmtpsOnTheProbeAddress() {
        List<String> problems = new ArrayList<>();
        List<Endpoint> endpoints = MasterServices.endpoints(DEBIAN, Map.of("smtpd_tls_security_level", "may"),
                "127.0.0.1", problems);
        assertEquals(List.of(new Endpoint("smtp", "127.0.0.1", 25, Protocol.SMTP_STARTTLS),
                new Endpoint("submission", "127.0.0.1", 587, Protocol.SMTP_STARTTLS),
                new Endpoint("smtps", "127.0.0.1", 465, Protocol.IMPLICIT)), endpoints);
        assertEquals(List.of(), problems);
    }

    @Test
    void withoutATlsLevelOnlyWrapperModeAndServicesThatEnableTlsCount() {
        List<Endpoint> endpoints = MasterServices.endpoints(DEBIAN, Map.of(), "192.0.2.1", new ArrayList<>());
        assertEquals(List.of(new Endpoint("submission", "192.0.2.1", 587, Protocol.SMTP_STARTTLS),
                new Endpoint("smtps", "192.0.2.1", 465, Protocol.IMPLICIT)), endpoints);
    }

    @Test
    void hostPortNamesBracedOptionsAndDisabledTls() {
        String m = """
                127.0.0.1:2525 inet n - n - - smtpd
                [::1]:2587 inet n - n - - smtpd -o { syslog_name = postfix/submission }
                0.0.0.0:2465 inet n - n - - smtpd -o { smtpd_tls_wrappermode = yes }
                *:4650 inet n - n - - smtpd -o smtpd_tls_wrappermode=yes
                10025 inet n - n - - smtpd -o smtpd_tls_security_level=none
                127.0.0.1:10026 inet n - n - - smtpd -o smtpd_tls_security_level=$mua_level
                gopher inet n - n - - smtpd
                628 inet n - n - - qmqpd
                """;
        List<String> problems = new ArrayList<>();
        List<Endpoint> endpoints = MasterServices.endpoints(m, Map.of("smtpd_tls_security_level", "may"),
                "127.0.0.2", problems);
        assertEquals(List.of(new Endpoint("smtp", "127.0.0.1", 2525, Protocol.SMTP_STARTTLS),
                new Endpoint("submission", "::1", 2587, Protocol.SMTP_STARTTLS),
                new Endpoint("smtps", "127.0.0.2", 2465, Protocol.IMPLICIT),
                new Endpoint("smtps", "127.0.0.2", 4650, Protocol.IMPLICIT),
                new Endpoint("smtp", "127.0.0.1", 10026, Protocol.SMTP_STARTTLS)), endpoints);
        assertEquals(1, problems.size(), problems.toString());
        assertEquals(true, problems.get(0).contains("gopher"));
    }

    @Test
    void legacyUseTlsCounts() {
        List<Endpoint> endpoints = MasterServices.endpoints("smtp inet n - y - - smtpd\n",
                Map.of("smtpd_use_tls", "yes"), "127.0.0.1", new ArrayList<>());
        assertEquals(List.of(new Endpoint("smtp", "127.0.0.1", 25, Protocol.SMTP_STARTTLS)), endpoints);
    }
}
