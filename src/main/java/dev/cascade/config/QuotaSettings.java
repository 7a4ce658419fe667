package dev.cascade.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * Per-organisation quotas (`cascade.quotas.*`): how much one tenant may have in flight and submit, so that one tenant
 * cannot fill the pipeline or the database for every other. An organisation's own values (set by the operator,
 * `PUT /api/v1/admin/organizations/{id}/quotas`) override the first two; 0 switches a quota off.
 */
public interface QuotaSettings {

    /**
     * Most workflows an organisation may have unfinished (`pending` or `running`) at once; a submit beyond it is
     * refused with 429 and writes nothing. 0: no quota.
     */
    @WithDefault("1000")
    int pendingWorkflows();

    /**
     * Most contacts an organisation may submit per UTC day (every contact of an accepted submit counts, whatever its
     * enrichment type); a submit that would go beyond it is refused with 429 and `Retry-After` until midnight UTC. 0: no
     * quota.
     */
    @WithDefault("1000000")
    int contactsPerDay();

    /**
     * The `Retry-After` of a submit refused for too many unfinished workflows: a hint only, since it is the
     * organisation's own workflows finishing that makes room.
     */
    @WithDefault("30s")
    Duration pendingRetryAfter();

    /**
     * Most webhook redeliveries (`POST /webhooks/redeliver`) an organisation may request per clock hour; beyond it 429
     * with `Retry-After` until the hour ends. Each redelivery can cost a receiver a whole retry schedule. 0: no cap.
     */
    @WithDefault("100")
    int redeliveriesPerHour();
}
