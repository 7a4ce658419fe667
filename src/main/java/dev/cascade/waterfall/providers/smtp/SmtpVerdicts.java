package dev.cascade.waterfall.providers.smtp;

import java.time.Duration;
import java.util.Set;

import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;

/**
 * What the replies to `RCPT TO` mean, in the contract's statuses. The address's own reply decides deliverability;
 * the probe's reply (a random address at the same domain) decides whether that means anything.
 *
 * <ul>
 *   <li>2xx, probe refused with 5xx → deliverable: `reliable` (`risky` for a role account);
 *   <li>2xx, probe accepted → the domain accepts every address (catch-all): `risky`;
 *   <li>2xx, probe inconclusive (4xx, 421, dropped) → `risky`;
 *   <li>550, 551, 553 → `invalid`, unless the enhanced code says policy or system trouble (5.7.x, 5.3.x, 5.4.x:
 *       our sender or address was refused, not the mailbox), which is a refusal;
 *   <li>552 → the mailbox exists but is full: `risky`;
 *   <li>450, 451, 452 → greylisting or rate limiting: a retryable failure asking to wait (the guard retries when the
 *       wait is short enough, else the candidate keeps its finder's status or `unknown`, and nothing is cached);
 *   <li>any other 5xx (554…) → the server refused to answer for us: a failure, the candidate stays `unknown`.
 * </ul>
 */
final class SmtpVerdicts {
    private static final Set<Integer> NO_SUCH_MAILBOX = Set.of(550, 551, 553);
    private static final Set<String> NOT_ABOUT_THE_MAILBOX = Set.of("5.7", "5.3", "5.4");

    private SmtpVerdicts() {}

    /** A verdict (a hit) or a failure, with the words the trace shows. */
    record Judgement(EmailStatus status, Failure failure, String words, Boolean catchAll) {
        static Judgement verdict(EmailStatus status, String words, Boolean catchAll) {
            return new Judgement(status, null, words, catchAll);
        }

        static Judgement failed(Failure failure) {
            return new Judgement(null, failure, failure.reason(), null);
        }
    }

    /**
     * @param knownCatchAll the domain's cached catch-all status, or null when unknown (then the probe decides)
     * @param probed whether a probe was asked for
     */
    static Judgement judge(
            SmtpReply rcpt,
            SmtpReply probe,
            Boolean knownCatchAll,
            boolean probed,
            boolean role,
            Duration greylistWait) {
        if (rcpt.positive()) {
            return accepted(probe, knownCatchAll, probed, role);
        }
        if (NO_SUCH_MAILBOX.contains(rcpt.code()) && !NOT_ABOUT_THE_MAILBOX.contains(rcpt.enhancedSubject())) {
            return Judgement.verdict(EmailStatus.INVALID, "no such mailbox", null);
        }
        if (rcpt.code() == 552) {
            return Judgement.verdict(EmailStatus.RISKY, "mailbox full", null);
        }
        if (rcpt.transientNegative()) {
            return Judgement.failed(new Failure("greylisted: RCPT " + rcpt.summary(), true, greylistWait, false));
        }
        return Judgement.failed(new Failure("refused: RCPT " + rcpt.summary(), false, null, false));
    }

    private static Judgement accepted(SmtpReply probe, Boolean knownCatchAll, boolean probed, boolean role) {
        if (Boolean.TRUE.equals(knownCatchAll)) {
            return Judgement.verdict(EmailStatus.RISKY, "catch-all domain", true);
        }
        // The role flag itself is added to the detail by the provider, with the other flags.
        String deliverable = "deliverable";
        EmailStatus status = role ? EmailStatus.RISKY : EmailStatus.RELIABLE;
        if (Boolean.FALSE.equals(knownCatchAll)) {
            return Judgement.verdict(status, deliverable + ", not catch-all (cached)", false);
        }
        if (!probed) {
            return Judgement.verdict(status, deliverable + ", catch-all not checked", null);
        }
        if (probe == null) {
            return Judgement.verdict(EmailStatus.RISKY, "accepted, catch-all check inconclusive", null);
        }
        if (probe.positive()) {
            return Judgement.verdict(EmailStatus.RISKY, "catch-all domain", true);
        }
        if (probe.permanentNegative()) {
            return Judgement.verdict(status, deliverable + ", not catch-all", false);
        }
        return Judgement.verdict(EmailStatus.RISKY, "accepted, catch-all check inconclusive", null);
    }
}
