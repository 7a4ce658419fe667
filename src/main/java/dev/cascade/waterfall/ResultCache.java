package dev.cascade.waterfall;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

import dev.cascade.config.CascadeConfig;
import dev.cascade.config.RoleGuards;
import dev.cascade.events.ResultItem;
import dev.cascade.events.TaskRecord;
import dev.cascade.support.Json;
import dev.cascade.support.MicroBatcher;

/**
 * The result cache of §4.3, in PostgreSQL so every replica shares it: per organisation, enrichment type and the
 * contact's normalised identity (LinkedIn slug, else lower-cased first+last+domain/company; for prospecting the company
 * and the prospect cap). Only results that found something are stored, so a contact nobody knew today is asked about
 * again tomorrow. The cache is an optimisation: when PostgreSQL is slow or down, lookups miss and stores are skipped.
 */
@ApplicationScoped
public class ResultCache {
    private static final Duration DB_BOUND = Duration.ofSeconds(2);

    static final String LOOKUP_SQL = """
            SELECT DISTINCT ON (q.n) q.n, c.item::text, c.cached_at, c.provenance::text
              FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[]) WITH ORDINALITY
                   AS q(org_id, enrichment_type, identity, max_age, n)
              JOIN result_cache c ON c.org_id = q.org_id AND c.enrichment_type = q.enrichment_type
                                 AND c.identity = q.identity AND c.cached_at > now() - make_interval(secs => q.max_age)
             ORDER BY q.n
            """;

    static final String STORE_SQL = """
            INSERT INTO result_cache (org_id, enrichment_type, identity, item, provenance)
            SELECT DISTINCT ON (s.org_id, s.enrichment_type, s.identity) s.org_id, s.enrichment_type, s.identity,
                   s.item::jsonb, s.provenance::jsonb
              FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY
                   AS s(org_id, enrichment_type, identity, item, provenance, n)
             ORDER BY s.org_id, s.enrichment_type, s.identity, s.n DESC
                ON CONFLICT (org_id, enrichment_type, identity)
                DO UPDATE SET item = excluded.item, provenance = excluded.provenance, cached_at = now()
            """;

    private record Key(UUID orgId, String type, String identity, Duration maxAge) {}

    private record Entry(UUID orgId, String type, String identity, String item, String provenance) {}

    private final Pool pool;
    private final Json json;
    private final CascadeConfig.Cache config;
    /** Lookups and stores of concurrent tasks share statements (one per batch, at most two batches at once each). */
    private final MicroBatcher<Key, Optional<Cached>> lookups;

    private final MicroBatcher<Entry, Void> stores;

    public ResultCache(Pool pool, Json json, CascadeConfig config) {
        this.pool = pool;
        this.json = json;
        this.config = config.cache();
        this.lookups = new MicroBatcher<>(500, 2, this::lookupAll);
        this.stores = new MicroBatcher<>(500, 2, this::storeAll);
    }

    /**
     * A cached result: the item as it was stored (task id and custom of the task that found it), its age, and which
     * providers produced it (null for entries cached before that was recorded).
     */
    public record Cached(ResultItem item, OffsetDateTime cachedAt, CacheProvenance provenance) {}

    /**
     * The freshest usable entry for the task, or empty (cache off, `max_cache_age_days: 0`, none fresh enough, or
     * produced by providers other than those the task's waterfall pins).
     */
    public Uni<Optional<Cached>> lookup(TaskRecord task, int maxProspects) {
        Duration maxAge = maxAge(task);
        if (!config.enabled() || maxAge.isZero()) {
            return Uni.createFrom().item(Optional.empty());
        }
        return lookups.submit(new Key(task.orgId(), task.enrichmentType(), identity(task, maxProspects), maxAge))
                .map(found -> found.filter(
                        cached -> CacheProvenance.honours(task, cached.item(), cached.provenance(), maxProspects)))
                .ifNoItem()
                .after(DB_BOUND)
                .recoverWithItem(Optional::empty)
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf(
                            "Result cache lookup failed for task %s; the providers are asked: %s",
                            task.taskId(),
                            failure.getCause() != null ? failure.getCause().getMessage() : failure.getMessage());
                    return Optional.empty();
                });
    }

    /** The lookups of a batch in one statement; the answers are aligned with the keys. */
    private Uni<List<Optional<Cached>>> lookupAll(List<Key> keys) {
        int n = keys.size();
        UUID[] orgs = new UUID[n];
        String[] types = new String[n];
        String[] identities = new String[n];
        Double[] ages = new Double[n];
        for (int i = 0; i < n; i++) {
            orgs[i] = keys.get(i).orgId();
            types[i] = keys.get(i).type();
            identities[i] = keys.get(i).identity();
            ages[i] = (double) keys.get(i).maxAge().toSeconds();
        }
        return pool.preparedQuery(LOOKUP_SQL)
                .execute(Tuple.of(orgs, types, identities).addArrayOfDouble(ages))
                .map(rows -> {
                    List<Optional<Cached>> found = new ArrayList<>(Collections.nCopies(n, Optional.empty()));
                    for (Row row : rows) {
                        found.set(
                                row.getLong(0).intValue() - 1,
                                Optional.of(new Cached(
                                        json.read(row.getString(1), ResultItem.class),
                                        row.getOffsetDateTime(2),
                                        row.getString(3) == null
                                                ? null
                                                : json.read(row.getString(3), CacheProvenance.class))));
                    }
                    return found;
                });
    }

    /** The stores of a batch in one statement (the last of two for one key wins). */
    private Uni<List<Void>> storeAll(List<Entry> entries) {
        int n = entries.size();
        UUID[] orgs = new UUID[n];
        String[] types = new String[n];
        String[] identities = new String[n];
        String[] items = new String[n];
        String[] provenances = new String[n];
        for (int i = 0; i < n; i++) {
            orgs[i] = entries.get(i).orgId();
            types[i] = entries.get(i).type();
            identities[i] = entries.get(i).identity();
            items[i] = entries.get(i).item();
            provenances[i] = entries.get(i).provenance();
        }
        return pool.preparedQuery(STORE_SQL)
                .execute(Tuple.of(orgs, types, identities, items, provenances))
                .map(rows -> Collections.nCopies(n, (Void) null));
    }

    /** Stores a fresh result that found something (the caller says whether it is clean enough); never fails. */
    public Uni<Void> store(TaskRecord task, int maxProspects, TaskOutcome outcome) {
        if (!config.enabled() || !worthCaching(outcome.item())) {
            return Uni.createFrom().voidItem();
        }
        return stores.submit(new Entry(
                        task.orgId(),
                        task.enrichmentType(),
                        identity(task, maxProspects),
                        json.write(outcome.item()),
                        json.write(CacheProvenance.of(outcome.trace()))))
                .replaceWithVoid()
                .ifNoItem()
                .after(DB_BOUND)
                .recoverWithItem(() -> null)
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("Result of task %s not cached: %s", task.taskId(), failure.getMessage());
                    return null;
                });
    }

    private static boolean worthCaching(ResultItem item) {
        if (!"completed".equals(item.status())) {
            return false;
        }
        return item.hasEmail()
                || item.hasPhone()
                || (item.prospects() != null && !item.prospects().isEmpty());
    }

    private Duration maxAge(TaskRecord task) {
        return task.maxCacheAgeDays() != null ? Duration.ofDays(task.maxCacheAgeDays()) : config.defaultMaxAge();
    }

    static String identity(TaskRecord task, int maxProspects) {
        if ("prospecting_only".equals(task.enrichmentType())) {
            String company = task.contact().companyDomain() != null
                    ? task.contact().companyDomain()
                    : task.contact().companyName();
            return ("co:" + (company == null ? "" : company) + "|" + maxProspects).toLowerCase(java.util.Locale.ROOT);
        }
        // A result chosen with a laxer `stop_on` must not answer a request that asks for better.
        String stopOn = task.waterfall() == null ? null : task.waterfall().stopOn();
        String identity = task.contact().identity();
        return stopOn == null || "reliable".equals(stopOn) ? identity : identity + "|stop:" + stopOn;
    }

    /** Deletes entries older than the retention; any replica may run it, running it twice is harmless. */
    @Scheduled(
            every = "${cascade.cache.purge-interval:1h}",
            delayed = "1m",
            skipExecutionIf = RoleGuards.NotWaterfall.class)
    Uni<Void> purge() {
        return pool.preparedQuery("DELETE FROM result_cache WHERE cached_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of((double) config.retention().toSeconds()))
                .invoke(rows -> {
                    if (rows.rowCount() > 0) {
                        Log.infof("Purged %d cached results older than %s", rows.rowCount(), config.retention());
                    }
                })
                .replaceWithVoid()
                .onFailure()
                .recoverWithItem(failure -> {
                    Log.warnf("Result cache purge failed: %s", failure.getMessage());
                    return null;
                });
    }

    /** Copies a cached item for the task now asking: its task id and custom map, on every prospect row too. */
    static ResultItem reissue(ResultItem cached, TaskRecord task) {
        List<ResultItem> rows = null;
        if (cached.prospects() != null) {
            rows = new ArrayList<>();
            for (ResultItem row : cached.prospects()) {
                rows.add(reissue(row, task));
            }
        }
        return new ResultItem(
                task.taskId(),
                cached.status(),
                cached.primaryEmail(),
                cached.primaryEmailStatus(),
                cached.otherEmails(),
                cached.personalPhoneNumbers(),
                cached.phones(),
                cached.prospect(),
                cached.company(),
                cached.source(),
                rows,
                task.custom(),
                null,
                null);
    }
}
