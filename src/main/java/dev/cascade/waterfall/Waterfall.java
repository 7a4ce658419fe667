package dev.cascade.waterfall;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Company;
import dev.cascade.events.Contact;
import dev.cascade.events.Phone;
import dev.cascade.events.Prospect;
import dev.cascade.events.ResultItem;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.WaterfallSpec;
import dev.cascade.telemetry.Tracing;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.GuardedProvider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.ProviderRegistry;

/**
 * Runs the waterfall of a task's enrichment type (§3, §5): a fresh cached result answers at once; otherwise providers
 * are asked in order until the answer is good enough, and every step lands in the trace.
 */
@ApplicationScoped
public class Waterfall {
    private static final WaterfallSpec NO_OVERRIDE = new WaterfallSpec(null, null, null, null, null);
    private static final int MAX_REASON_CHARS = 300;
    private static final String DEADLINE = "deadline exceeded";

    private final ProviderRegistry providers;
    private final ResultCache cache;
    private final CascadeConfig config;
    private final Tracing tracing;

    public Waterfall(ProviderRegistry providers, ResultCache cache, CascadeConfig config, Tracing tracing) {
        this.tracing = tracing;
        this.providers = providers;
        this.cache = cache;
        this.config = config;
    }

    /**
     * Runs the task's waterfall within the task deadline. A task that runs out of time settles with what its
     * providers found so far (`failed` with `deadline exceeded` when that is nothing), with the steps it managed in
     * its trace. A result that found something, and for which every provider asked answered, is cached for the
     * organisation.
     */
    public Uni<TaskOutcome> run(TaskRecord task) {
        return run(task, null);
    }

    /**
     * {@link #run(TaskRecord)}, each provider call also a span under {@code span} (the task's span; null: tracing
     * off).
     */
    public Uni<TaskOutcome> run(TaskRecord task, io.opentelemetry.context.Context span) {
        Trace trace = span == null ? new Trace() : new Trace(tracing, span);
        int maxProspects = maxProspects(task);
        if ("none".equals(task.enrichmentType())) {
            return Uni.createFrom().item(settle(task, trace, Emails.NONE, Phones.NONE));
        }
        long started = System.nanoTime();
        return cache.lookup(task, maxProspects)
                .chain(cached -> cached.isPresent()
                        ? Uni.createFrom().item(fromCache(task, cached.get(), trace, started))
                        : steps(task, trace, maxProspects)
                                .call(outcome -> outcome.cacheable()
                                        ? cache.store(task, maxProspects, outcome)
                                        : Uni.createFrom().voidItem()));
    }

    private Uni<TaskOutcome> steps(TaskRecord task, Trace trace, int maxProspects) {
        WaterfallSpec spec = task.waterfall() == null ? NO_OVERRIDE : task.waterfall();
        return switch (task.enrichmentType()) {
            case "phone_only" -> {
                PhoneRun phones = phoneRun(task, spec, trace, SharedLookups.none(providers));
                yield bounded(
                        phones.step(0).map(p -> settle(task, trace, Emails.NONE, p)),
                        () -> settleLate(task, trace, Emails.NONE, phones.sofar()));
            }
            case "full" -> {
                // A vendor both waterfalls name and that answers both in one lookup is called once (issue 13).
                SharedLookups shared = SharedLookups.between(
                        providers,
                        providers.order(Capability.EMAIL, spec.email()),
                        providers.order(Capability.PHONE, spec.phone()));
                EmailRun emails = emailRun(task, spec, trace, shared);
                PhoneRun phones = phoneRun(task, spec, trace, shared);
                yield bounded(
                        Uni.combine()
                                .all()
                                .unis(emails.step(0), phones.step(0))
                                .asTuple()
                                .map(both -> settle(task, trace, both.getItem1(), both.getItem2())),
                        () -> settleLate(task, trace, emails.sofar(), phones.sofar()));
            }
            case "prospecting_only" -> {
                ProspectRun prospects = prospectRun(task, spec, trace, maxProspects);
                yield bounded(prospects.step(0), prospects::late);
            }
            default -> {
                EmailRun emails = emailRun(task, spec, trace, SharedLookups.none(providers));
                yield bounded(
                        emails.step(0).map(e -> settle(task, trace, e, Phones.NONE)),
                        () -> settleLate(task, trace, emails.sofar(), Phones.NONE));
            }
        };
    }

    /** The task deadline: past it the task settles with what was found so far. */
    private Uni<TaskOutcome> bounded(Uni<TaskOutcome> steps, java.util.function.Supplier<TaskOutcome> late) {
        return steps.ifNoItem().after(config.waterfall().taskDeadline()).recoverWithItem(late);
    }

    private int maxProspects(TaskRecord task) {
        return task.maxProspectsPerCompany() != null
                ? task.maxProspectsPerCompany()
                : config.intake().maxProspectsPerCompany();
    }

    // ---- cache -----------------------------------------------------------------------------------------------

    private TaskOutcome fromCache(TaskRecord task, ResultCache.Cached cached, Trace trace, long started) {
        String detail = "cached " + cached.cachedAt().toInstant();
        for (Capability capability : capabilities(task.enrichmentType())) {
            trace.add("cache", capability, "cache_hit", started, detail);
        }
        ResultItem item = ResultCache.reissue(cached.item(), task);
        // Priced now, from what it holds: the price list may have changed since it was cached.
        double credits = config.cache().hitsFree() ? 0 : price(item);
        return new TaskOutcome(item, trace.steps(), credits, false);
    }

    /** What a result costs at today's prices (§3): per email, per phone, per prospect. */
    private double price(ResultItem item) {
        if (item.prospects() != null) {
            return item.prospects().size() * config.credits().prospect();
        }
        return (item.hasEmail() ? config.credits().email() : 0)
                + (item.hasPhone() ? config.credits().phone() : 0);
    }

    private static List<Capability> capabilities(String enrichmentType) {
        return switch (enrichmentType) {
            case "phone_only" -> List.of(Capability.PHONE);
            case "full" -> List.of(Capability.EMAIL, Capability.PHONE);
            case "prospecting_only" -> List.of(Capability.PROSPECT);
            default -> List.of(Capability.EMAIL);
        };
    }

    // ---- email waterfall -------------------------------------------------------------------------------------

    /**
     * Outcome of the email waterfall; {@code failure} is set when every finder it needed failed; {@code clean} when
     * every provider it asked (finders and verifier) answered, so the result is worth caching.
     */
    private record Emails(List<Candidate> candidates, ProviderData best, String failure, boolean ran, boolean clean) {
        static final Emails NONE = new Emails(List.of(), null, null, false, true);
    }

    private record Candidate(String email, EmailStatus status, String provider, int order) {}

    /** What a waterfall collects on its way: the failures of its providers, for the `failed` reason. */
    private static final class Failures {
        private final List<String> reasons = new ArrayList<>();

        synchronized void add(GuardedProvider provider, ProviderOutcome outcome) {
            if (outcome instanceof ProviderOutcome.Failure failure) {
                reasons.add(provider.name() + ": " + failure.reason());
            }
        }

        synchronized int count() {
            return reasons.size();
        }

        /** What went wrong with each provider (`hunter: timeout; pdl: HTTP 503`), or that there was none. */
        synchronized String reason(int providers) {
            return providers == 0 ? "no provider available" : String.join("; ", reasons);
        }
    }

    /** The `error` of a task whose waterfalls all failed: `all providers failed (…each provider's reason…)`. */
    private static String allFailed(String... details) {
        String all = "all providers failed (" + String.join("; ", details) + ")";
        return all.length() > MAX_REASON_CHARS ? all.substring(0, MAX_REASON_CHARS - 1) + "…" : all;
    }

    private EmailRun emailRun(TaskRecord task, WaterfallSpec spec, Trace trace, SharedLookups shared) {
        List<GuardedProvider> finders = providers.order(Capability.EMAIL, spec.email());
        GuardedProvider verifier = providers.verifier(spec.verify());
        EmailStatus stopOn = spec.stopOn() == null ? EmailStatus.RELIABLE : EmailStatus.fromWire(spec.stopOn());
        return new EmailRun(finders, verifier, stopOn, new ProviderQuery(task.contact(), null, 0), trace, shared);
    }

    /**
     * One task's email waterfall: finders in order, each unverified candidate checked by the verifier. Its state is
     * read by the deadline (another thread) through {@link #sofar()}, hence the synchronisation.
     */
    private final class EmailRun {
        private final List<GuardedProvider> finders;
        private final GuardedProvider verifier;
        private final EmailStatus stopOn;
        private final ProviderQuery query;
        private final Trace trace;
        private final SharedLookups shared;
        private final List<Candidate> found = new ArrayList<>();
        private final Failures failures = new Failures();
        private ProviderData profile;
        private boolean verifierFailed;

        EmailRun(
                List<GuardedProvider> finders,
                GuardedProvider verifier,
                EmailStatus stopOn,
                ProviderQuery query,
                Trace trace,
                SharedLookups shared) {
            this.finders = finders;
            this.verifier = verifier;
            this.stopOn = stopOn;
            this.query = query;
            this.trace = trace;
            this.shared = shared;
        }

        Uni<Emails> step(int index) {
            if (stopReached()) {
                return Uni.createFrom().item(result(null));
            }
            if (index >= finders.size()) {
                boolean failed = finders.isEmpty() || failures.count() == finders.size();
                return Uni.createFrom().item(result(failed ? failures.reason(finders.size()) : null));
            }
            GuardedProvider finder = finders.get(index);
            long started = System.nanoTime();
            return shared.call(finder, Capability.EMAIL, query).chain(outcome -> {
                trace.add(finder.name(), Capability.EMAIL, outcome, started);
                failures.add(finder, outcome);
                if (outcome instanceof ProviderOutcome.Hit hit) {
                    keepProfile(hit.data());
                    return verifyAll(hit.data().emails(), 0, finder.name(), index)
                            .chain(() -> step(index + 1));
                }
                return step(index + 1);
            });
        }

        /**
         * Verifies, one after the other, the candidates their finder did not verify itself; `invalid` ones are
         * dropped. Once a candidate good enough to stop on is found, the rest are kept unverified.
         */
        private Uni<Void> verifyAll(List<ProviderData.EmailCandidate> emails, int at, String finder, int order) {
            if (at >= emails.size()) {
                return Uni.createFrom().voidItem();
            }
            ProviderData.EmailCandidate candidate = emails.get(at);
            if (candidate.email() == null || candidate.email().isBlank()) {
                return verifyAll(emails, at + 1, finder, order);
            }
            String email = candidate.email().trim().toLowerCase(Locale.ROOT);
            EmailStatus own = candidate.status() != null ? candidate.status() : EmailStatus.UNKNOWN;
            Uni<EmailStatus> status;
            if (candidate.verified() || verifier == null || stopReached() || seen(email)) {
                status = Uni.createFrom().item(own);
            } else {
                long started = System.nanoTime();
                status = providers
                        .call(verifier, Capability.VERIFY, new ProviderQuery(query.contact(), email, 0))
                        .map(outcome -> {
                            trace.add(verifier.name(), Capability.VERIFY, outcome, started);
                            if (outcome instanceof ProviderOutcome.Failure) {
                                markVerifierFailed();
                            }
                            return outcome instanceof ProviderOutcome.Hit hit
                                            && hit.data().verification() != null
                                    ? hit.data().verification()
                                    : own;
                        });
            }
            return status.chain(verdict -> {
                add(new Candidate(email, verdict, finder, order));
                return verifyAll(emails, at + 1, finder, order);
            });
        }

        private synchronized void add(Candidate candidate) {
            if (candidate.status() != EmailStatus.INVALID && !seen(candidate.email())) {
                found.add(candidate);
            }
        }

        private synchronized void keepProfile(ProviderData data) {
            if (profile == null) {
                profile = data;
            }
        }

        private synchronized void markVerifierFailed() {
            verifierFailed = true;
        }

        private synchronized boolean seen(String email) {
            return found.stream().anyMatch(c -> c.email().equals(email));
        }

        private synchronized boolean stopReached() {
            return found.stream().anyMatch(c -> c.status().rank() >= stopOn.rank());
        }

        private synchronized Emails result(String failure) {
            return new Emails(List.copyOf(found), profile, failure, true, failures.count() == 0 && !verifierFailed);
        }

        /** What the run has found when the deadline cut it short. */
        synchronized Emails sofar() {
            return new Emails(List.copyOf(found), profile, found.isEmpty() ? DEADLINE : null, true, false);
        }
    }

    // ---- phone waterfall -------------------------------------------------------------------------------------

    private record Phones(List<Phone> phones, String failure, boolean ran, boolean clean) {
        static final Phones NONE = new Phones(List.of(), null, false, true);
    }

    private PhoneRun phoneRun(TaskRecord task, WaterfallSpec spec, Trace trace, SharedLookups shared) {
        return new PhoneRun(
                providers.order(Capability.PHONE, spec.phone()),
                new ProviderQuery(task.contact(), null, 0),
                trace,
                shared);
    }

    /** One task's phone waterfall: finders in order until one returns a valid number. */
    private final class PhoneRun {
        private final List<GuardedProvider> finders;
        private final ProviderQuery query;
        private final Trace trace;
        private final SharedLookups shared;
        private final Failures failures = new Failures();
        private volatile Phones done;

        PhoneRun(List<GuardedProvider> finders, ProviderQuery query, Trace trace, SharedLookups shared) {
            this.finders = finders;
            this.query = query;
            this.trace = trace;
            this.shared = shared;
        }

        Uni<Phones> step(int index) {
            return next(index).invoke(result -> done = result);
        }

        private Uni<Phones> next(int index) {
            if (index >= finders.size()) {
                boolean failed = finders.isEmpty() || failures.count() == finders.size();
                return Uni.createFrom()
                        .item(new Phones(
                                List.of(),
                                failed ? failures.reason(finders.size()) : null,
                                true,
                                failures.count() == 0));
            }
            GuardedProvider finder = finders.get(index);
            long started = System.nanoTime();
            return shared.call(finder, Capability.PHONE, query).chain(outcome -> {
                failures.add(finder, outcome);
                if (outcome instanceof ProviderOutcome.Hit hit) {
                    Map<String, Phone> unique = new LinkedHashMap<>();
                    int dropped = 0;
                    for (ProviderData.PhoneCandidate candidate : hit.data().phones()) {
                        Optional<Phone> phone = PhoneNumbers.normalise(
                                candidate, finder.name(), config.waterfall().defaultPhoneRegion());
                        if (phone.isPresent()) {
                            unique.putIfAbsent(phone.get().number(), phone.get());
                        } else {
                            dropped++;
                        }
                    }
                    String detail = dropped > 0 ? dropped + " invalid number(s) dropped" : null;
                    trace.add(finder.name(), Capability.PHONE, "hit", started, detail);
                    if (!unique.isEmpty()) {
                        return Uni.createFrom()
                                .item(new Phones(List.copyOf(unique.values()), null, true, failures.count() == 0));
                    }
                } else {
                    trace.add(finder.name(), Capability.PHONE, outcome, started);
                }
                return next(index + 1);
            });
        }

        /**
         * What the run has when the deadline cut the task short: its numbers when it had finished (the email
         * waterfall of `full` was the slow one), else nothing (it stops at its first number).
         */
        Phones sofar() {
            Phones finished = done;
            return finished != null
                    ? new Phones(finished.phones(), null, true, false)
                    : new Phones(List.of(), DEADLINE, true, false);
        }
    }

    // ---- prospecting -----------------------------------------------------------------------------------------

    private ProspectRun prospectRun(TaskRecord task, WaterfallSpec spec, Trace trace, int max) {
        List<GuardedProvider> finders = providers.order(Capability.PROSPECT, spec.prospect());
        return new ProspectRun(task, finders, new ProviderQuery(task.contact(), null, max), trace, max);
    }

    /**
     * One company's people discovery: providers in order until {@code max} distinct prospects are known, de-duplicated
     * by LinkedIn profile, else by name and title.
     */
    private final class ProspectRun {
        private final TaskRecord task;
        private final List<GuardedProvider> finders;
        private final ProviderQuery query;
        private final Trace trace;
        private final int max;
        private final Map<String, ResultItem> rows = new LinkedHashMap<>();
        private final Failures failures = new Failures();
        private Company company;
        private String firstSource;

        ProspectRun(TaskRecord task, List<GuardedProvider> finders, ProviderQuery query, Trace trace, int max) {
            this.task = task;
            this.finders = finders;
            this.query = query;
            this.trace = trace;
            this.max = max;
        }

        Uni<TaskOutcome> step(int index) {
            if (full() || index >= finders.size()) {
                return Uni.createFrom().item(finish(false));
            }
            GuardedProvider finder = finders.get(index);
            long started = System.nanoTime();
            return providers.call(finder, Capability.PROSPECT, query).chain(outcome -> {
                trace.add(finder.name(), Capability.PROSPECT, outcome, started);
                failures.add(finder, outcome);
                if (outcome instanceof ProviderOutcome.Hit hit) {
                    take(finder.name(), hit.data());
                }
                return step(index + 1);
            });
        }

        private synchronized boolean full() {
            return rows.size() >= max;
        }

        private synchronized void take(String source, ProviderData data) {
            if (company == null && data.company() != null) {
                company = data.company();
            }
            for (Prospect prospect : data.prospects()) {
                if (rows.size() >= max) {
                    break;
                }
                String key = key(prospect);
                if (key == null) {
                    // No identity to compare (masked names, no profile): never merged with another row.
                    key = "row:" + source + ":" + rows.size() + ":" + System.identityHashCode(prospect);
                }
                if (!rows.containsKey(key)) {
                    if (firstSource == null) {
                        firstSource = source;
                    }
                    rows.put(key, row(prospect, Map.of("prospect", source)));
                }
            }
        }

        /** What the run has found when the deadline cut it short. */
        TaskOutcome late() {
            return finish(true);
        }

        private ResultItem row(Prospect prospect, Map<String, String> source) {
            return new ResultItem(
                    task.taskId(),
                    "completed",
                    null,
                    null,
                    null,
                    null,
                    null,
                    prospect,
                    company != null ? company : echoCompany(task.contact()),
                    source,
                    null,
                    task.custom(),
                    null,
                    null);
        }

        private synchronized TaskOutcome finish(boolean late) {
            if (rows.isEmpty() && late) {
                return failed(task, trace, DEADLINE);
            }
            if (rows.isEmpty() && (finders.isEmpty() || failures.count() == finders.size())) {
                return failed(task, trace, allFailed(failures.reason(finders.size())));
            }
            List<ResultItem> found = List.copyOf(rows.values());
            ResultItem item = new ResultItem(
                    task.taskId(),
                    "completed",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    company != null ? company : echoCompany(task.contact()),
                    firstSource == null ? null : Map.of("prospect", firstSource),
                    found,
                    task.custom(),
                    null,
                    null);
            boolean clean = !late && failures.count() == 0;
            return new TaskOutcome(
                    item, trace.steps(), found.size() * config.credits().prospect(), clean);
        }
    }

    /**
     * The de-duplication key of a prospect: its LinkedIn profile (`/in/<slug>`), else its whole name (first and last,
     * or full) with its title; null when it has neither (a first name and a masked last name say too little).
     */
    private static String key(Prospect p) {
        if (p.linkedinUrl() != null && p.linkedinUrl().contains("/in/")) {
            String slug = new Contact(p.linkedinUrl(), null, null, null, null).linkedinSlug();
            if (slug != null && !slug.isBlank()) {
                return "li:" + slug;
            }
        }
        String name = p.firstName() != null && p.lastName() != null ? p.firstName() + " " + p.lastName() : p.fullName();
        if (name == null || name.isBlank()) {
            return null;
        }
        return ("n:" + name.trim() + "|" + (p.title() == null ? "" : p.title().trim())).toLowerCase(Locale.ROOT);
    }

    // ---- assembly --------------------------------------------------------------------------------------------

    private TaskOutcome settle(TaskRecord task, Trace trace, Emails emails, Phones phones) {
        boolean emailFailed = emails.ran() && emails.failure() != null;
        boolean phoneFailed = phones.ran() && phones.failure() != null;
        boolean anyRan = emails.ran() || phones.ran();
        if (anyRan && (!emails.ran() || emailFailed) && (!phones.ran() || phoneFailed)) {
            String reason = emailFailed && phoneFailed
                    ? allFailed(emails.failure(), phones.failure())
                    : allFailed(emailFailed ? emails.failure() : phones.failure());
            return failed(task, trace, reason);
        }
        Candidate primary = emails.candidates().stream()
                .sorted(Comparator.comparingInt((Candidate c) -> -c.status().rank())
                        .thenComparingInt(Candidate::order))
                .findFirst()
                .orElse(null);
        LinkedHashSet<String> others = new LinkedHashSet<>();
        for (Candidate c : emails.candidates()) {
            if (primary == null || !c.email().equals(primary.email())) {
                others.add(c.email());
            }
        }
        Map<String, String> source = new LinkedHashMap<>();
        if (primary != null) {
            source.put("email", primary.provider());
        }
        if (!phones.phones().isEmpty()) {
            source.put("phone", phones.phones().get(0).source());
        }
        ProviderData profile = emails.best();
        Prospect prospect = mergeProspect(task.contact(), profile == null ? null : profile.prospect());
        Company company =
                profile != null && profile.company() != null ? profile.company() : echoCompany(task.contact());
        List<String> numbers = phones.phones().stream().map(Phone::number).toList();
        ResultItem item = new ResultItem(
                task.taskId(),
                "completed",
                primary == null ? null : primary.email(),
                primary == null ? null : primary.status().wire(),
                List.copyOf(others),
                numbers,
                phones.phones(),
                prospect,
                company,
                source.isEmpty() ? null : source,
                null,
                task.custom(),
                null,
                null);
        double credits = (primary != null ? config.credits().email() : 0)
                + (numbers.isEmpty() ? 0 : config.credits().phone());
        return new TaskOutcome(item, trace.steps(), credits, emails.clean() && phones.clean());
    }

    /**
     * Settles a task the deadline cut short with what its waterfalls found so far; `failed` with `deadline exceeded`
     * when that is nothing. Never cached.
     */
    private TaskOutcome settleLate(TaskRecord task, Trace trace, Emails emails, Phones phones) {
        if (emails.candidates().isEmpty() && phones.phones().isEmpty()) {
            return failed(task, trace, DEADLINE);
        }
        Emails foundEmails = emails.candidates().isEmpty() && emails.ran()
                ? new Emails(List.of(), emails.best(), null, true, false)
                : emails;
        Phones foundPhones = phones.ran() ? new Phones(phones.phones(), null, true, false) : phones;
        return settle(task, trace, foundEmails, foundPhones);
    }

    private static TaskOutcome failed(TaskRecord task, Trace trace, String reason) {
        return new TaskOutcome(ResultItem.failed(task.taskId(), reason, task.custom()), trace.steps(), 0, false);
    }

    /**
     * A task that called no provider because its workflow's budget cap (§4.4) is spent: `completed`, its contact
     * echoed, nothing found, nothing charged.
     */
    public TaskOutcome skipped(TaskRecord task, String reason) {
        TaskOutcome nothing = settle(task, new Trace(), Emails.NONE, Phones.NONE);
        return new TaskOutcome(nothing.item().skipped(reason), List.of(), 0, false);
    }

    /** A failed outcome for a task whose waterfall could not finish (deadline, internal error). */
    public static TaskOutcome failed(TaskRecord task, String reason) {
        return new TaskOutcome(ResultItem.failed(task.taskId(), reason, task.custom()), List.of(), 0, false);
    }

    private static Prospect mergeProspect(Contact contact, Prospect found) {
        String first = contact.firstName() != null ? contact.firstName() : found == null ? null : found.firstName();
        String last = contact.lastName() != null ? contact.lastName() : found == null ? null : found.lastName();
        String full = first != null && last != null ? first + " " + last : found == null ? null : found.fullName();
        String linkedin =
                contact.linkedinUrl() != null ? contact.linkedinUrl() : found == null ? null : found.linkedinUrl();
        String title = found == null ? null : found.title();
        String location = found == null ? null : found.location();
        if (first == null && last == null && full == null && linkedin == null && title == null && location == null) {
            return null;
        }
        return new Prospect(first, last, full, title, linkedin, location);
    }

    private static Company echoCompany(Contact contact) {
        if (contact.companyName() == null && contact.companyDomain() == null) {
            return null;
        }
        return new Company(contact.companyName(), contact.companyDomain(), null, null);
    }
}
