package dev.cascade.waterfall.providers.smtp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;

import dev.cascade.config.SmtpVerifySettings;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.Provider;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.smtp.MxResolver.Exchanger;
import dev.cascade.waterfall.providers.smtp.SmtpConversation.Transcript;
import dev.cascade.waterfall.providers.smtp.SmtpVerdicts.Judgement;

/**
 * The built-in verifier (type `smtp-verify`): checks an address itself, as a vendor verifier would, without a vendor.
 * Syntax and the shipped lists first (no traffic), then DNS (MX by preference, A/AAAA fallback, null MX, NXDOMAIN),
 * then one SMTP conversation with the best MX that answers (`RCPT TO` the address and a random one, never `DATA`),
 * paced per domain and per MX, with a circuit per MX. Verdicts are cached per address and catch-all status per
 * domain. Every hit carries a detail for the trace: the MX chosen and the reply codes seen.
 */
final class SmtpVerifyProvider implements Provider {
    private static final String PROBE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final ProviderContext context;
    private final SmtpVerifySettings settings;
    private final DomainLists lists;
    private final MxResolver resolver;
    private final MxEgress egress;
    private final MxCircuits circuits;
    private final Pacer domains;
    private final Pacer exchangers;
    private final VerdictCache cache;
    private final SmtpConversation conversation;
    private final String notReady;

    SmtpVerifyProvider(ProviderContext context, Vertx vertx, DomainLists lists) {
        this.context = context;
        this.settings = context.settings().smtp();
        this.lists = lists;
        String helo =
                settings.heloName().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        String from =
                settings.mailFrom().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
        if (helo != null && !AddressSyntax.check("postmaster@" + helo).valid()) {
            throw new IllegalArgumentException("smtp.helo-name is not a fully qualified host name");
        }
        if (from != null && !AddressSyntax.check(from).valid()) {
            throw new IllegalArgumentException("smtp.mail-from is not a valid address");
        }
        this.notReady = helo == null || from == null ? "smtp.helo-name and smtp.mail-from not configured" : null;
        this.resolver = new MxResolver(settings);
        this.egress =
                new MxEgress(settings.allowPublic(), settings.egressAllow().orElse(List.of()));
        this.circuits =
                new MxCircuits(settings.circuit().failures(), settings.circuit().delay());
        SmtpVerifySettings.Pacing pacing = settings.pacing();
        this.domains = new Pacer(vertx, "domain", pacing.perDomain(), java.time.Duration.ZERO, pacing.maxWait());
        this.exchangers = new Pacer(vertx, "MX", pacing.perMx(), pacing.mxInterval(), pacing.maxWait());
        this.cache = new VerdictCache(settings.cache());
        this.conversation = new SmtpConversation(vertx, settings, helo == null ? "localhost" : helo, from);
    }

    @Override
    public String name() {
        return context.name();
    }

    @Override
    public String type() {
        return SmtpVerifyProviderFactory.TYPE;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.VERIFY);
    }

    @Override
    public double cost() {
        return context.settings().cost();
    }

    /** Without a HELO name and a MAIL FROM the verifier would announce itself as nobody; it is not ready then. */
    @Override
    public Optional<String> notReady() {
        return Optional.ofNullable(notReady);
    }

    /** The circuit state of an MX host (tests and diagnostics). */
    String circuitState(String mx) {
        return circuits.state(mx);
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        if (capability != Capability.VERIFY) {
            return Uni.createFrom().item(Failure.rejected("unsupported capability"));
        }
        AddressSyntax.Checked checked = AddressSyntax.check(query.email());
        if (!checked.valid()) {
            return verdict(EmailStatus.INVALID, "syntax: " + checked.problem());
        }
        AddressSyntax.Address address = checked.address();
        String flags = flags(address);
        if (lists.disposable(address.domain())) {
            return verdict(EmailStatus.INVALID, "disposable domain" + flags);
        }
        if (address.internationalLocal()) {
            return verdict(EmailStatus.UNKNOWN, "internationalised local part not probed" + flags);
        }
        String key = address.ascii().toLowerCase(Locale.ROOT);
        VerdictCache.Verdict known = cache.verdict(key);
        if (known != null) {
            return verdict(known.status(), "cached: " + known.detail());
        }
        return resolver.route(address.domain()).chain(route -> route(route, address, key, flags));
    }

    private Uni<ProviderOutcome> route(
            MxResolver.Route route, AddressSyntax.Address address, String key, String flags) {
        if (route instanceof MxResolver.NoDomain) {
            return verdict(EmailStatus.INVALID, "domain does not exist (NXDOMAIN)" + flags);
        }
        if (route instanceof MxResolver.NullMx) {
            return verdict(EmailStatus.INVALID, "null MX: the domain accepts no mail" + flags);
        }
        if (route instanceof MxResolver.NoMail) {
            return verdict(EmailStatus.INVALID, "no MX and no address" + flags);
        }
        if (route instanceof MxResolver.DnsFailure failure) {
            return Uni.createFrom().item(Failure.transientFault("DNS " + failure.reason()));
        }
        MxResolver.Exchangers mx = (MxResolver.Exchangers) route;
        Boolean catchAll = cache.catchAll(address.domain());
        if (Boolean.TRUE.equals(catchAll)) {
            return verdict(EmailStatus.RISKY, "catch-all domain (cached)" + flags);
        }
        String via = mx.implicit() ? "no MX, A fallback; " : "";
        int tries = Math.min(Math.max(1, settings.maxMx()), mx.hosts().size());
        Attempt attempt =
                new Attempt(address, key, flags, via, catchAll, mx.hosts().subList(0, tries));
        return domains.paced(address.domain(), () -> next(attempt, 0))
                .onFailure(Pacer.Busy.class)
                .recoverWithItem(busy -> new Failure("paced: domain busy", false, null, false));
    }

    /** One lookup's way through the MX hosts, and what each one said. */
    private record Attempt(
            AddressSyntax.Address address,
            String key,
            String flags,
            String via,
            Boolean catchAll,
            List<Exchanger> hosts,
            List<String> notes,
            boolean[] refusedByEgress) {
        Attempt(
                AddressSyntax.Address address,
                String key,
                String flags,
                String via,
                Boolean catchAll,
                List<Exchanger> hosts) {
            this(address, key, flags, via, catchAll, hosts, new ArrayList<>(), new boolean[] {true});
        }
    }

    private Uni<ProviderOutcome> next(Attempt attempt, int index) {
        if (index >= attempt.hosts().size()) {
            return Uni.createFrom().item(gaveUp(attempt));
        }
        Exchanger host = attempt.hosts().get(index);
        if (!circuits.allow(host.host())) {
            return skip(attempt, index, host.host() + ": circuit open");
        }
        return resolver.addresses(host.host()).chain(addresses -> {
            if (addresses.failure() != null) {
                return skip(attempt, index, host.host() + ": " + addresses.failure());
            }
            InetAddress ip = addresses.addresses().stream()
                    .filter(egress::allowed)
                    .min(Comparator.comparing(a -> a instanceof Inet4Address ? 0 : 1))
                    .orElse(null);
            if (ip == null) {
                attempt.notes().add(host.host() + ": " + MxEgress.REFUSED);
                return next(attempt, index + 1);
            }
            attempt.refusedByEgress()[0] = false;
            boolean probe = settings.catchAllProbe() && attempt.catchAll() == null;
            String rcpt = attempt.address().ascii();
            String random = probe ? randomLocal() + "@" + attempt.address().domain() : null;
            return exchangers
                    .paced(
                            host.host(),
                            () -> Uni.createFrom()
                                    .completionStage(() -> conversation
                                            .talk(ip, host.host(), rcpt, random)
                                            .toCompletionStage()))
                    .chain(transcript -> answered(attempt, index, host, ip, transcript, probe))
                    .onFailure(Pacer.Busy.class)
                    .recoverWithUni(busy -> skip(attempt, index, host.host() + ": paced"));
        });
    }

    private Uni<ProviderOutcome> skip(Attempt attempt, int index, String note) {
        attempt.refusedByEgress()[0] = false;
        attempt.notes().add(note);
        return next(attempt, index + 1);
    }

    private Uni<ProviderOutcome> answered(
            Attempt attempt, int index, Exchanger host, InetAddress ip, Transcript transcript, boolean probed) {
        String where = attempt.via() + host.host() + " (pref " + host.preference() + ", " + ip.getHostAddress()
                + (transcript.tls() ? ", TLS" : "") + "): " + String.join(", ", transcript.steps());
        if (transcript.rcpt() == null) {
            SmtpStop stop = transcript.stop();
            if (stop.kind() == SmtpStop.Kind.REFUSED) {
                circuits.success(host.host());
                return Uni.createFrom()
                        .item(new Failure(prefix(attempt) + where + "; " + stop.getMessage(), false, null, false));
            }
            circuits.failure(host.host());
            return skip(attempt, index, where + (transcript.steps().isEmpty() ? "" : "; ") + stop.getMessage());
        }
        circuits.success(host.host());
        Judgement judgement = SmtpVerdicts.judge(
                transcript.rcpt(),
                transcript.probe(),
                attempt.catchAll(),
                probed,
                lists.role(attempt.address().local()),
                settings.greylistRetryAfter());
        String detail = prefix(attempt) + where + " → " + judgement.words() + attempt.flags();
        if (judgement.failure() != null) {
            Failure f = judgement.failure();
            return Uni.createFrom().item(new Failure(detail, f.retryable(), f.retryAfter(), f.providerFault()));
        }
        if (judgement.catchAll() != null) {
            cache.catchAll(attempt.address().domain(), judgement.catchAll());
        }
        cache.verdict(attempt.key(), new VerdictCache.Verdict(judgement.status(), detail));
        return verdict(judgement.status(), detail);
    }

    private static String prefix(Attempt attempt) {
        return attempt.notes().isEmpty() ? "" : String.join("; ", attempt.notes()) + "; ";
    }

    private static ProviderOutcome gaveUp(Attempt attempt) {
        String notes = String.join("; ", attempt.notes());
        if (attempt.refusedByEgress()[0]) {
            return Failure.rejected(notes);
        }
        // Not retried at once (the hosts were just tried); counts for the provider's breaker, so a verifier whose
        // port 25 is blocked altogether is rested rather than made to time out on every address.
        return new Failure("no MX answered (" + notes + ")", false, null, true);
    }

    private String flags(AddressSyntax.Address address) {
        StringBuilder flags = new StringBuilder();
        if (lists.freeMail(address.domain())) {
            flags.append("; free-mail");
        }
        if (lists.role(address.local())) {
            flags.append("; role account");
        }
        return flags.toString();
    }

    private static Uni<ProviderOutcome> verdict(EmailStatus status, String detail) {
        return Uni.createFrom().item(new ProviderOutcome.Hit(ProviderData.verified(status), detail));
    }

    private static String randomLocal() {
        StringBuilder local = new StringBuilder(20);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 20; i++) {
            local.append(PROBE_ALPHABET.charAt(random.nextInt(PROBE_ALPHABET.length())));
        }
        return local.toString();
    }

    void close() {
        conversation.close();
    }
}
