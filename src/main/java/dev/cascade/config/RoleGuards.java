package dev.cascade.config;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.ScheduledExecution;

/**
 * The scheduled jobs' side of {@code cascade.roles}: each job names the role it belongs to with
 * {@code @Scheduled(skipExecutionIf = RoleGuards.NotX.class)} and is skipped, before its bean is even created, in a
 * process without that role. The check reads a field set once at start-up. Which job belongs to which role is
 * documented in docs/architecture.md ("Process roles").
 */
@Singleton
public class RoleGuards {
    private final Roles roles;

    RoleGuards(CascadeConfig config) {
        this.roles = config.roles();
    }

    void onStart(@Observes StartupEvent event) {
        Log.infof("Process roles (%s): %s", Roles.KEY, roles);
    }

    /** Skips a job of the `api` role (intake sweeps, rate-limit and idempotency-key clean-up). */
    @Singleton
    public static class NotApi extends Skip {
        NotApi(CascadeConfig config) {
            super(config, Role.API);
        }
    }

    /** Skips a job of the `waterfall` role (cancellation refresh, result-cache purge). */
    @Singleton
    public static class NotWaterfall extends Skip {
        NotWaterfall(CascadeConfig config) {
            super(config, Role.WATERFALL);
        }
    }

    /** Skips a job of the `aggregator` role (the `completed` lifecycle sweep, retention, the ledger-hold gauges). */
    @Singleton
    public static class NotAggregator extends Skip {
        NotAggregator(CascadeConfig config) {
            super(config, Role.AGGREGATOR);
        }
    }

    /** Skips a job of the `webhooks` role (the sender's poll, the backlog gauges). */
    @Singleton
    public static class NotWebhooks extends Skip {
        NotWebhooks(CascadeConfig config) {
            super(config, Role.WEBHOOKS);
        }
    }

    abstract static class Skip implements Scheduled.SkipPredicate {
        private final boolean skip;

        Skip(CascadeConfig config, Role role) {
            this.skip = !config.roles().has(role);
        }

        @Override
        public boolean test(ScheduledExecution execution) {
            return skip;
        }
    }
}
