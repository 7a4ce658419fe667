package dev.cascade.waterfall.providers.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.smallrye.mutiny.Uni;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.cascade.testing.MailServers;
import dev.cascade.waterfall.providers.AdapterHarness;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderOutcome.Hit;
import dev.cascade.waterfall.providers.ProviderQuery;

/**
 * The SMTP verifier against real servers on loopback (see {@link MailServers}): a DNS server answering MX, A, null MX
 * and NXDOMAIN, and scripted SMTP servers that accept, reject, greylist, accept everything, hang up, offer STARTTLS,
 * answer slowly, are busy (421) or refuse us. Each test builds its own provider, so caches and circuits start empty.
 */
class SmtpVerifyProviderTest {
    private static AdapterHarness harness;
    private final List<SmtpVerifyProvider> built = new ArrayList<>();

    @BeforeAll
    static void start() {
        MailServers.ensureStarted();
        harness = new AdapterHarness();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    @AfterEach
    void closeProviders() {
        built.forEach(SmtpVerifyProvider::close);
    }

    private SmtpVerifyProvider provider(String... overrides) {
        Map<String, String> settings = new HashMap<>(MailServers.settings());
        for (int i = 0; i + 1 < overrides.length; i += 2) {
            settings.put(overrides[i], overrides[i + 1]);
        }
        List<String> pairs = new ArrayList<>();
        settings.forEach((key, value) -> {
            pairs.add(key);
            pairs.add(value);
        });
        SmtpVerifyProvider provider = new SmtpVerifyProvider(
                harness.context("smtp-test", pairs.toArray(String[]::new)),
                harness.vertx().getDelegate(),
                DomainLists.shipped());
        built.add(provider);
        return provider;
    }

    private static ProviderOutcome verify(SmtpVerifyProvider provider, String email) {
        return AdapterHarness.await(provider.lookup(Capability.VERIFY, new ProviderQuery(null, email, 0)));
    }

    private static Hit hit(ProviderOutcome outcome, EmailStatus status) {
        assertThat(outcome).isInstanceOf(Hit.class);
        Hit hit = (Hit) outcome;
        assertThat(hit.data().verification()).as(hit.detail()).isEqualTo(status);
        return hit;
    }

    private static Failure failure(ProviderOutcome outcome) {
        assertThat(outcome).isInstanceOf(Failure.class);
        return (Failure) outcome;
    }

    private static List<String> said(String server, String address) {
        return MailServers.server(server).commands().stream()
                .filter(c -> c.contains(address))
                .toList();
    }

    // ---- SMTP verdicts ------------------------------------------------------------------------------------------

    @Test
    void anAcceptedMailboxOnADomainThatRefusesOthersIsReliable() {
        Hit hit = hit(verify(provider(), "ada@reliable.test"), EmailStatus.RELIABLE);

        assertThat(hit.detail())
                .startsWith("mx.reliable.test (pref 10, 127.0.0.2): banner 220, EHLO 250, MAIL 250 2.1.0,"
                        + " RCPT 250 2.1.5, probe RCPT 550 5.1.1")
                .endsWith("→ deliverable, not catch-all");
        List<String> commands = MailServers.server("reliable").commands();
        assertThat(commands).contains("EHLO verifier.cascade.test", "MAIL FROM:<probe@cascade.test>");
        assertThat(said("reliable", "ada@reliable.test")).containsExactly("RCPT TO:<ada@reliable.test>");
        assertThat(commands).noneMatch(c -> c.toUpperCase().startsWith("DATA"));
    }

    @Test
    void aMailboxTheServerRefusesWith550IsInvalidAndNoProbeIsSent() {
        int before = MailServers.server("reliable").commands().size();

        Hit hit = hit(verify(provider(), "nobody@reliable.test"), EmailStatus.INVALID);

        assertThat(hit.detail()).contains("RCPT 550 5.1.1").endsWith("→ no such mailbox");
        List<String> conversation = MailServers.server("reliable")
                .commands()
                .subList(before, MailServers.server("reliable").commands().size());
        assertThat(conversation.stream().filter(c -> c.startsWith("RCPT")))
                .containsExactly("RCPT TO:<nobody@reliable.test>");
    }

    @Test
    void aDeliverableRoleAccountIsRisky() {
        Hit hit = hit(verify(provider(), "info@reliable.test"), EmailStatus.RISKY);

        assertThat(hit.detail()).endsWith("→ deliverable, not catch-all; role account");
    }

    @Test
    void aDomainThatAcceptsEveryAddressIsRiskyAndRememberedAsCatchAll() {
        SmtpVerifyProvider provider = provider();

        Hit first = hit(verify(provider, "someone@catchall.test"), EmailStatus.RISKY);
        assertThat(first.detail())
                .contains("RCPT 250 2.1.5, probe RCPT 250 2.1.5")
                .endsWith("→ catch-all domain");

        // The domain's catch-all status is cached: another address there needs no conversation at all.
        Hit second = hit(verify(provider, "other@catchall.test"), EmailStatus.RISKY);
        assertThat(second.detail()).isEqualTo("catch-all domain (cached)");
        assertThat(said("catchall", "other@catchall.test")).isEmpty();
    }

    @Test
    void greylistingIsARetryableFailureThatAsksToWaitAndIsNotTheProvidersFault() {
        Failure failure = failure(verify(provider(), "ada@greylist.test"));

        assertThat(failure.reason()).contains("mx.greylist.test").endsWith("→ greylisted: RCPT 451 4.7.1");
        assertThat(failure.retryable()).isTrue();
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofSeconds(60));
        assertThat(failure.providerFault()).isFalse();
    }

    @Test
    void aRefusalBeforeRcptIsAFailureNotCountedAgainstTheProvider() {
        Failure failure = failure(verify(provider(), "ada@blocked.test"));

        assertThat(failure.reason()).contains("MAIL 554 5.7.1").endsWith("refused");
        assertThat(failure.retryable()).isFalse();
        assertThat(failure.providerFault()).isFalse();
    }

    @Test
    void a421GreetingMovesOnToTheNextMx() {
        Hit hit = hit(verify(provider(), "ada@backup.test"), EmailStatus.RELIABLE);

        assertThat(hit.detail())
                .startsWith("mx1.backup.test (pref 10, 127.0.0.8): banner 421 4.3.2; unavailable; ")
                .contains("mx2.backup.test (pref 20, 127.0.0.2): banner 220");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "r250|reliable|RCPT 250 2.1.5, probe RCPT 550 5.1.1 → deliverable, not catch-all",
                "r251|reliable|RCPT 251 2.1.5, probe RCPT 550 5.1.1 → deliverable, not catch-all",
                "r550|invalid|RCPT 550 5.1.1 → no such mailbox",
                "r551|invalid|RCPT 551 5.1.6 → no such mailbox",
                "r553|invalid|RCPT 553 5.1.3 → no such mailbox",
                "r552|risky|RCPT 552 5.2.2 → mailbox full"
            })
    void eachRcptReplyMapsToItsStatus(String local, String status, String ending) {
        Hit hit = hit(verify(provider(), local + "@codes.test"), EmailStatus.fromWire(status));

        assertThat(hit.detail())
                .startsWith("mx.codes.test (pref 10, 127.0.0.12): ")
                .endsWith(ending);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "r450|true|→ greylisted: RCPT 450 4.2.0",
                "r452|true|→ greylisted: RCPT 452 4.2.2",
                "r550policy|false|→ refused: RCPT 550 5.7.1",
                "r554|false|→ refused: RCPT 554 5.7.1"
            })
    void temporaryAndPolicyRepliesAreFailuresNotVerdicts(String local, boolean retryable, String ending) {
        Failure failure = failure(verify(provider(), local + "@codes.test"));

        assertThat(failure.reason()).endsWith(ending);
        assertThat(failure.retryable()).isEqualTo(retryable);
        assertThat(failure.providerFault()).isFalse();
    }

    // ---- DNS ------------------------------------------------------------------------------------------------

    @Test
    void aNullMxDomainIsInvalidWithoutAnyConversation() {
        Hit hit = hit(verify(provider(), "ada@nullmx.test"), EmailStatus.INVALID);

        assertThat(hit.detail()).isEqualTo("null MX: the domain accepts no mail");
    }

    @Test
    void aDomainWithoutMxIsReachedAtItsOwnAddress() {
        Hit hit = hit(verify(provider(), "ada@amx.test"), EmailStatus.RELIABLE);

        assertThat(hit.detail()).startsWith("no MX, A fallback; amx.test (pref 0, 127.0.0.2): banner 220");
        assertThat(said("reliable", "ada@amx.test")).containsExactly("RCPT TO:<ada@amx.test>");
    }

    @Test
    void aDomainThatDoesNotExistIsInvalid() {
        Hit hit = hit(verify(provider(), "ada@nowhere.test"), EmailStatus.INVALID);

        assertThat(hit.detail()).isEqualTo("domain does not exist (NXDOMAIN)");
    }

    @Test
    void aDomainWithNeitherMxNorAddressIsInvalid() {
        Hit hit = hit(verify(provider(), "ada@nomail.test"), EmailStatus.INVALID);

        assertThat(hit.detail()).isEqualTo("no MX and no address");
    }

    @Test
    void aNameServerThatNeverAnswersIsATransientFailure() {
        Failure failure = failure(verify(provider(), "ada@silent.test"));

        assertThat(failure.reason()).isEqualTo("DNS timeout");
        assertThat(failure.retryable()).isTrue();
    }

    @Test
    void anMxOnAPrivateAddressIsNeverContacted() {
        Failure failure = failure(verify(provider(), "ada@private.test"));

        assertThat(failure.reason()).isEqualTo("mx.private.test: MX address not allowed by the egress policy");
        assertThat(failure.providerFault()).isFalse();
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void loopbackMxIsRefusedUnlessAllowed() {
        Failure failure = failure(verify(provider("smtp.egress-allow", ""), "ada@reliable.test"));

        assertThat(failure.reason()).isEqualTo("mx.reliable.test: MX address not allowed by the egress policy");
    }

    // ---- TLS ------------------------------------------------------------------------------------------------

    @Test
    void startTlsIsUsedWhenOfferedWithoutCheckingTheCertificateByDefault() {
        Hit hit = hit(verify(provider(), "ada@starttls.test"), EmailStatus.RELIABLE);

        assertThat(hit.detail())
                .startsWith("mx.starttls.test (pref 10, 127.0.0.5, TLS): banner 220, EHLO 250, STARTTLS 220 2.0.0,"
                        + " EHLO 250, MAIL 250 2.1.0, RCPT 250 2.1.5");
        // Everything after STARTTLS went over TLS.
        assertThat(said("starttls", "ada@starttls.test")).containsExactly("TLS RCPT TO:<ada@starttls.test>");
    }

    @Test
    void verifyModeRefusesAnUntrustedCertificate() {
        Failure failure = failure(verify(provider("smtp.tls", "verify"), "ben@starttls.test"));

        assertThat(failure.reason()).contains("STARTTLS 220 2.0.0").contains("TLS handshake failed");
        assertThat(said("starttls", "ben@starttls.test")).isEmpty();
    }

    @Test
    void verifyModeAcceptsTheCertificateItIsToldToTrust() {
        SmtpVerifyProvider provider = provider(
                "smtp.tls",
                "verify",
                "smtp.tls-trust-file",
                MailServers.certificate().toString());

        Hit hit = hit(verify(provider, "grace@starttls.test"), EmailStatus.RELIABLE);

        assertThat(hit.detail()).contains("127.0.0.5, TLS)");
    }

    @Test
    void tlsOffSpeaksInTheClearEvenWhenOffered() {
        Hit hit = hit(verify(provider("smtp.tls", "off"), "ada@starttls.test"), EmailStatus.RELIABLE);

        assertThat(hit.detail()).doesNotContain("STARTTLS").doesNotContain("TLS)");
    }

    // ---- timeouts, drops, circuits, pacing, caches ----------------------------------------------------------

    @Test
    void aServerThatDoesNotGreetInTimeIsATimeout() {
        Failure failure = failure(verify(provider(), "ada@slow.test"));

        assertThat(failure.reason())
                .isEqualTo("no MX answered (mx.slow.test (pref 10, 127.0.0.6): timeout waiting for greeting)");
        assertThat(failure.retryable()).isFalse();
    }

    @Test
    void aServerThatHangsUpAtRcptGivesNoVerdict() {
        Failure failure = failure(verify(provider(), "ada@drop.test"));

        assertThat(failure.reason()).contains("MAIL 250 2.1.0; connection closed at RCPT");
    }

    @Test
    void anMxThatKeepsFailingHasItsCircuitOpened() {
        SmtpVerifyProvider provider = provider("smtp.circuit.failures", "2");

        assertThat(failure(verify(provider, "a@dead.test")).reason()).contains("connection refused");
        assertThat(failure(verify(provider, "b@dead.test")).reason()).contains("connection refused");
        assertThat(provider.circuitState("mx.dead.test")).isEqualTo("open");

        assertThat(failure(verify(provider, "c@dead.test")).reason())
                .isEqualTo("no MX answered (mx.dead.test: circuit open)");
    }

    @Test
    void aDomainAlreadyInConversationMakesTheNextLookupWaitAndThenGiveUp() {
        SmtpVerifyProvider provider = provider("smtp.pacing.per-domain", "1", "smtp.pacing.max-wait", "200ms");

        Uni<ProviderOutcome> first = provider.lookup(Capability.VERIFY, new ProviderQuery(null, "a@slow.test", 0));
        Uni<ProviderOutcome> second = provider.lookup(Capability.VERIFY, new ProviderQuery(null, "b@slow.test", 0));
        var both = Uni.combine().all().unis(first, second).asTuple().await().atMost(Duration.ofSeconds(10));

        // Whichever got the domain first talked (and timed out); the other gave up waiting for its turn.
        List<String> reasons = List.of(
                failure(both.getItem1()).reason(), failure(both.getItem2()).reason());
        assertThat(reasons)
                .filteredOn(r -> r.contains("timeout waiting for greeting"))
                .hasSize(1);
        assertThat(reasons).filteredOn("paced: domain busy"::equals).hasSize(1);
    }

    @Test
    void aVerdictIsRememberedPerAddress() {
        SmtpVerifyProvider provider = provider();
        hit(verify(provider, "grace@reliable.test"), EmailStatus.RELIABLE);

        Hit again = hit(verify(provider, "grace@reliable.test"), EmailStatus.RELIABLE);

        assertThat(again.detail()).startsWith("cached: mx.reliable.test");
        assertThat(said("reliable", "grace@reliable.test")).hasSize(1);
    }

    // ---- before any traffic ---------------------------------------------------------------------------------

    @Test
    void badSyntaxAndDisposableDomainsAreInvalidWithoutTraffic() {
        SmtpVerifyProvider provider = provider();

        assertThat(hit(verify(provider, "ada..b@reliable.test"), EmailStatus.INVALID)
                        .detail())
                .isEqualTo("syntax: misplaced dot in local part");
        assertThat(hit(verify(provider, "ada\r\nDATA@reliable.test"), EmailStatus.INVALID)
                        .detail())
                .isEqualTo("syntax: local part has a character not allowed");
        assertThat(hit(verify(provider, "ada@mailinator.com"), EmailStatus.INVALID)
                        .detail())
                .isEqualTo("disposable domain");
        assertThat(MailServers.server("reliable").commands())
                .noneMatch(c -> c.contains("ada..b") || c.contains("DATA"));
    }

    @Test
    void freeMailIsFlaggedInTheDetail() {
        Hit hit = hit(verify(provider(), "someone@gmail.com"), EmailStatus.INVALID);

        // gmail.com does not exist in the loopback DNS; the flag is what this test is about.
        assertThat(hit.detail()).isEqualTo("domain does not exist (NXDOMAIN); free-mail");
    }

    @Test
    void withoutHeloNameOrMailFromTheVerifierIsNotReady() {
        assertThat(provider("smtp.helo-name", "").notReady())
                .contains("smtp.helo-name and smtp.mail-from not configured");
        assertThat(provider().notReady()).isEmpty();
    }
}
