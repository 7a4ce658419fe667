package dev.cascade.waterfall;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.GuardedProvider;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.ProviderRegistry;

/** Runs the waterfall of a task's enrichment type (§3, §5): providers in order until the answer is good enough. */
@ApplicationScoped
public class Waterfall {
    private static final WaterfallSpec NO_OVERRIDE = new WaterfallSpec(null, null, null, null);

    private final ProviderRegistry providers;
    private final CascadeConfig config;

    public Waterfall(ProviderRegistry providers, CascadeConfig config) {
        this.providers = providers;
        this.config = config;
    }

    /**
     * Runs the task's waterfall within the task deadline; a task that runs out of time settles `failed` with the
     * steps it managed so far in its trace.
     */
    public Uni<TaskOutcome> run(TaskRecord task) {
        Trace trace = new Trace();
        return steps(task, trace)
                .ifNoItem()
                .after(config.waterfall().taskDeadline())
                .recoverWithItem(() -> failed(task, trace, "deadline exceeded"));
    }

    private Uni<TaskOutcome> steps(TaskRecord task, Trace trace) {
        WaterfallSpec spec = task.waterfall() == null ? NO_OVERRIDE : task.waterfall();
        return switch (task.enrichmentType()) {
            case "none" -> Uni.createFrom().item(settle(task, trace, Emails.NONE, Phones.NONE));
            case "phone_only" -> phones(task, spec, trace).map(p -> settle(task, trace, Emails.NONE, p));
            case "full" ->
                Uni.combine()
                        .all()
                        .unis(emails(task, spec, trace), phones(task, spec, trace))
                        .asTuple()
                        .map(both -> settle(task, trace, both.getItem1(), both.getItem2()));
            case "prospecting_only" -> prospects(task, spec, trace);
            default -> emails(task, spec, trace).map(e -> settle(task, trace, e, Phones.NONE));
        };
    }

    // ---- email waterfall -------------------------------------------------------------------------------------

    /** Outcome of the email waterfall; {@code failed} when every finder it needed errored. */
    private record Emails(List<Candidate> candidates, ProviderData best, boolean failed, boolean ran) {
        static final Emails NONE = new Emails(List.of(), null, false, false);
    }

    private record Candidate(String email, EmailStatus status, String provider, int order) {}

    private Uni<Emails> emails(TaskRecord task, WaterfallSpec spec, Trace trace) {
        List<GuardedProvider> finders = providers.order(Capability.EMAIL, spec.email());
        GuardedProvider verifier = providers.verifier(spec.verify());
        EmailStatus stopOn = spec.stopOn() == null ? EmailStatus.RELIABLE : EmailStatus.fromWire(spec.stopOn());
        ProviderQuery query = new ProviderQuery(task.contact(), null, 0);
        return emailStep(finders, 0, verifier, stopOn, query, trace, new ArrayList<>(), null, 0);
    }

    private Uni<Emails> emailStep(
            List<GuardedProvider> finders,
            int index,
            GuardedProvider verifier,
            EmailStatus stopOn,
            ProviderQuery query,
            Trace trace,
            List<Candidate> found,
            ProviderData profile,
            int failures) {
        if (stopReached(found, stopOn)) {
            return Uni.createFrom().item(new Emails(found, profile, false, true));
        }
        if (index >= finders.size()) {
            boolean failed = finders.isEmpty() || failures == finders.size();
            return Uni.createFrom().item(new Emails(found, profile, failed, true));
        }
        GuardedProvider finder = finders.get(index);
        long started = System.nanoTime();
        return providers.call(finder, Capability.EMAIL, query).chain(outcome -> {
            trace.add(finder.name(), Capability.EMAIL, outcome, started);
            if (outcome instanceof ProviderOutcome.Hit hit) {
                ProviderData data = hit.data();
                ProviderData nextProfile = profile == null ? data : profile;
                return verifyAll(data.emails(), 0, finder.name(), index, verifier, query, trace, found)
                        .chain(() -> emailStep(
                                finders, index + 1, verifier, stopOn, query, trace, found, nextProfile, failures));
            }
            int nextFailures = outcome instanceof ProviderOutcome.Failure ? failures + 1 : failures;
            return emailStep(finders, index + 1, verifier, stopOn, query, trace, found, profile, nextFailures);
        });
    }

    /** Verifies, one after the other, the candidates their finder did not verify; `invalid` ones are dropped. */
    private Uni<Void> verifyAll(
            List<ProviderData.EmailCandidate> emails,
            int at,
            String finder,
            int order,
            GuardedProvider verifier,
            ProviderQuery query,
            Trace trace,
            List<Candidate> found) {
        if (at >= emails.size()) {
            return Uni.createFrom().voidItem();
        }
        ProviderData.EmailCandidate candidate = emails.get(at);
        String email = candidate.email().toLowerCase(Locale.ROOT);
        Uni<EmailStatus> status;
        if (candidate.status() != null) {
            status = Uni.createFrom().item(candidate.status());
        } else if (verifier == null) {
            status = Uni.createFrom().item(EmailStatus.UNKNOWN);
        } else {
            long started = System.nanoTime();
            status = providers
                    .call(verifier, Capability.VERIFY, new ProviderQuery(query.contact(), email, 0))
                    .map(outcome -> {
                        trace.add(verifier.name(), Capability.VERIFY, outcome, started);
                        return outcome instanceof ProviderOutcome.Hit hit
                                        && hit.data().verification() != null
                                ? hit.data().verification()
                                : EmailStatus.UNKNOWN;
                    });
        }
        return status.chain(verdict -> {
            boolean seen = found.stream().anyMatch(c -> c.email().equals(email));
            if (verdict != EmailStatus.INVALID && !seen) {
                found.add(new Candidate(email, verdict, finder, order));
            }
            return verifyAll(emails, at + 1, finder, order, verifier, query, trace, found);
        });
    }

    private static boolean stopReached(List<Candidate> found, EmailStatus stopOn) {
        return found.stream().anyMatch(c -> c.status().rank() >= stopOn.rank());
    }

    // ---- phone waterfall -------------------------------------------------------------------------------------

    private record Phones(List<Phone> phones, boolean failed, boolean ran) {
        static final Phones NONE = new Phones(List.of(), false, false);
    }

    private Uni<Phones> phones(TaskRecord task, WaterfallSpec spec, Trace trace) {
        List<GuardedProvider> finders = providers.order(Capability.PHONE, spec.phone());
        return phoneStep(finders, 0, new ProviderQuery(task.contact(), null, 0), trace, 0);
    }

    private Uni<Phones> phoneStep(
            List<GuardedProvider> finders, int index, ProviderQuery query, Trace trace, int failures) {
        if (index >= finders.size()) {
            return Uni.createFrom().item(new Phones(List.of(), failures == finders.size(), true));
        }
        GuardedProvider finder = finders.get(index);
        long started = System.nanoTime();
        return providers.call(finder, Capability.PHONE, query).chain(outcome -> {
            trace.add(finder.name(), Capability.PHONE, outcome, started);
            if (outcome instanceof ProviderOutcome.Hit hit
                    && !hit.data().phones().isEmpty()) {
                Map<String, Phone> unique = new LinkedHashMap<>();
                for (ProviderData.PhoneCandidate phone : hit.data().phones()) {
                    unique.putIfAbsent(phone.number(), new Phone(phone.number(), phone.lineType(), finder.name()));
                }
                return Uni.createFrom().item(new Phones(List.copyOf(unique.values()), false, true));
            }
            int next = outcome instanceof ProviderOutcome.Failure ? failures + 1 : failures;
            return phoneStep(finders, index + 1, query, trace, next);
        });
    }

    // ---- prospecting -----------------------------------------------------------------------------------------

    private Uni<TaskOutcome> prospects(TaskRecord task, WaterfallSpec spec, Trace trace) {
        int max = task.maxProspectsPerCompany() != null
                ? task.maxProspectsPerCompany()
                : config.intake().maxProspectsPerCompany();
        List<GuardedProvider> finders = providers.order(Capability.PROSPECT, null);
        return prospectStep(task, finders, 0, new ProviderQuery(task.contact(), null, max), trace, 0, max);
    }

    private Uni<TaskOutcome> prospectStep(
            TaskRecord task,
            List<GuardedProvider> finders,
            int index,
            ProviderQuery query,
            Trace trace,
            int failures,
            int max) {
        if (index >= finders.size()) {
            if (failures == finders.size()) {
                return Uni.createFrom()
                        .item(failed(
                                task, trace, finders.isEmpty() ? "no provider available" : "all providers failed"));
            }
            ResultItem none = new ResultItem(
                    task.taskId(),
                    "completed",
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    echoCompany(task.contact()),
                    Map.of(),
                    List.of(),
                    task.custom(),
                    null,
                    null);
            return Uni.createFrom().item(new TaskOutcome(none, trace.steps(), 0));
        }
        GuardedProvider finder = finders.get(index);
        long started = System.nanoTime();
        return providers.call(finder, Capability.PROSPECT, query).chain(outcome -> {
            trace.add(finder.name(), Capability.PROSPECT, outcome, started);
            if (outcome instanceof ProviderOutcome.Hit hit
                    && !hit.data().prospects().isEmpty()) {
                Company company = hit.data().company() != null ? hit.data().company() : echoCompany(task.contact());
                Map<String, Prospect> unique = new LinkedHashMap<>();
                for (Prospect p : hit.data().prospects()) {
                    String key = p.linkedinUrl() != null ? p.linkedinUrl() : p.fullName();
                    if (key != null && unique.size() < max) {
                        unique.putIfAbsent(key.toLowerCase(Locale.ROOT), p);
                    }
                }
                Map<String, String> source = Map.of("prospect", finder.name());
                List<ResultItem> rows = unique.values().stream()
                        .map(p -> new ResultItem(
                                task.taskId(),
                                "completed",
                                null,
                                null,
                                null,
                                null,
                                null,
                                p,
                                company,
                                source,
                                null,
                                task.custom(),
                                null,
                                null))
                        .toList();
                ResultItem item = new ResultItem(
                        task.taskId(),
                        "completed",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        company,
                        source,
                        rows,
                        task.custom(),
                        null,
                        null);
                return Uni.createFrom()
                        .item(new TaskOutcome(
                                item,
                                trace.steps(),
                                rows.size() * config.credits().prospect()));
            }
            int next = outcome instanceof ProviderOutcome.Failure ? failures + 1 : failures;
            return prospectStep(task, finders, index + 1, query, trace, next, max);
        });
    }

    // ---- assembly --------------------------------------------------------------------------------------------

    private TaskOutcome settle(TaskRecord task, Trace trace, Emails emails, Phones phones) {
        boolean emailFailed = emails.ran() && emails.failed();
        boolean phoneFailed = phones.ran() && phones.failed();
        boolean anyRan = emails.ran() || phones.ran();
        if (anyRan && (!emails.ran() || emailFailed) && (!phones.ran() || phoneFailed)) {
            return failed(task, trace, "all providers failed");
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
        return new TaskOutcome(item, trace.steps(), credits);
    }

    private static TaskOutcome failed(TaskRecord task, Trace trace, String reason) {
        return new TaskOutcome(ResultItem.failed(task.taskId(), reason, task.custom()), trace.steps(), 0);
    }

    /** A failed outcome for a task whose waterfall could not finish (deadline, internal error). */
    public static TaskOutcome failed(TaskRecord task, String reason) {
        return new TaskOutcome(ResultItem.failed(task.taskId(), reason, task.custom()), List.of(), 0);
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
