package dev.cascade.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The one configuration root of the gateway; every key has a default and a line of Javadoc. */
@ConfigMapping(prefix = "cascade")
public interface CascadeConfig {

    /** Where PostgreSQL is (the datasource URLs are built from these; env `CASCADE_DB_*`). */
    Db db();

    /** Accepting bulk requests. */
    Intake intake();

    /** Running the provider waterfalls. */
    Waterfall waterfall();

    /** The built-in simulated providers. */
    Simulator simulator();

    /** Webhook delivery. */
    Webhooks webhooks();

    /** Credit costs per found item (§3 of the contract). */
    Credits credits();

    /** Operator API. */
    Admin admin();

    /** Rate limits per organisation and per key (§10). */
    RateLimits rateLimits();

    /** Start-up bootstrap of an organisation and an API key. */
    Bootstrap bootstrap();

    /** Kafka topic names (the public event contract). */
    Topics topics();

    interface Db {
        /** PostgreSQL host (`CASCADE_DB_HOST`). */
        @WithDefault("127.0.0.1")
        String host();

        /** PostgreSQL port (`CASCADE_DB_PORT`). */
        @WithDefault("5432")
        int port();

        /** Database name (`CASCADE_DB_NAME`). */
        @WithDefault("cascade")
        String name();
    }

    interface Intake {
        /** Most contacts one bulk request may carry. */
        @WithDefault("250")
        int maxContacts();

        /** Largest accepted request body, in bytes. */
        @WithDefault("1048576")
        int maxBodyBytes();

        /** How long a submit waits for the broker to acknowledge its task records. */
        @WithDefault("15s")
        Duration dispatchTimeout();

        /** How often the dispatch sweeper looks for workflows whose dispatch was never confirmed. */
        @WithDefault("5s")
        Duration sweepInterval();

        /** How old an unconfirmed workflow must be before the sweeper re-publishes it. */
        @WithDefault("30s")
        Duration sweepGrace();

        /**
         * How long a dispatched, unfinished workflow may go without any settled task before the sweeper re-publishes
         * its unsettled tasks (a task record lost downstream). Well above the task deadline and any expected backlog.
         */
        @WithDefault("10m")
        Duration stallTimeout();

        /** Default `max_prospects_per_company` for prospecting. */
        @WithDefault("25")
        int maxProspectsPerCompany();
    }

    interface Waterfall {
        /** Tasks one gateway instance keeps in flight at once. */
        @WithDefault("256")
        int maxInFlight();

        /**
         * Upper bound of one task's whole waterfall; with the result publish (at most 20 s) it stays well under the
         * task consumer's unacked-record age (120 s), so a slow vendor can never make the consumer unhealthy.
         */
        @WithDefault("25s")
        Duration taskDeadline();

        /** Time allowed for one provider call before it counts as a `timeout` failure. */
        @WithDefault("5s")
        Duration providerTimeout();

        /** Email finders, in waterfall order. */
        @WithDefault("sim-email-a,sim-email-b")
        List<String> email();

        /** Phone finders, in waterfall order. */
        @WithDefault("sim-phone")
        List<String> phone();

        /** The email verifier asked about every candidate its finder did not verify. */
        @WithDefault("sim-verify")
        String verify();

        /** People-discovery providers for `prospecting_only`, in order. */
        @WithDefault("sim-discovery")
        List<String> prospect();
    }

    interface Simulator {
        /** Whether the built-in simulated providers are registered (the default provider set). */
        @WithDefault("true")
        boolean enabled();

        /** Shortest simulated provider latency. */
        @WithDefault("40ms")
        Duration latencyMin();

        /** Longest simulated provider latency. */
        @WithDefault("300ms")
        Duration latencyMax();

        /** Share of contacts for which each simulated email finder knows an address. */
        @WithDefault("0.8")
        double emailHitRate();

        /** Share of contacts for which the simulated phone finder knows a number. */
        @WithDefault("0.6")
        double phoneHitRate();

        /** Share of simulated calls that fail with a (retryable) provider error. */
        @WithDefault("0.0")
        double errorRate();

        /** Most prospects the simulated discovery provider lists for one company. */
        @WithDefault("8")
        int maxProspects();
    }

    interface Webhooks {
        /**
         * Delays before each attempt, counted from the previous one: the first is the initial attempt. The fast
         * tier of the contract is `0s,1s,2s,4s,8s,16s`.
         */
        @WithDefault("0s,1s,2s,4s,8s,16s")
        List<Duration> schedule();

        /** Time allowed for one attempt, connect to last byte. */
        @WithDefault("10s")
        Duration timeout();

        /** How often the sender looks for due deliveries (new events also wake it at once). */
        @WithDefault("1s")
        Duration pollInterval();

        /** How long a claimed delivery stays locked to its sender before another replica may take it over. */
        @WithDefault("60s")
        Duration claimTimeout();

        /** Whether plain `http` webhook URLs are accepted (the local profile allows them; production does not). */
        @WithDefault("false")
        boolean allowHttp();

        /**
         * Address blocks (CIDR) and host names webhooks may reach although the egress policy would refuse them (for
         * example `127.0.0.0/8,::1/128` for a receiver on the same machine; the local profile allows loopback).
         */
        Optional<List<String>> egressAllow();

        /** Most result items one `enrichment.completed` payload carries. */
        @WithDefault("250")
        int resultsLimit();

        /** `User-Agent` of webhook requests. */
        @WithDefault("Cascade/0.1")
        String userAgent();
    }

    interface Credits {
        /** Credits charged for a task with a primary email. */
        @WithDefault("1")
        double email();

        /** Credits charged for a task with at least one phone. */
        @WithDefault("10")
        double phone();

        /** Credits charged per discovered prospect. */
        @WithDefault("1")
        double prospect();
    }

    interface RateLimits {
        /** Whether public requests are rate limited. */
        @WithDefault("true")
        boolean enabled();

        /** Requests per minute an organisation may make, unless the organisation has its own limit. */
        @WithDefault("60")
        int organizationPerMinute();

        /** Requests per minute one API key may make, unless its organisation has its own per-key limit. */
        @WithDefault("30")
        int keyPerMinute();
    }

    interface Admin {
        /** Operator token for `/api/v1/admin` (`GATEWAY_ADMIN_TOKEN`); without one the operator API is closed. */
        Optional<String> token();
    }

    interface Bootstrap {
        /** Whether start-up creates (idempotently) a bootstrap organisation and API key. */
        @WithDefault("false")
        boolean enabled();

        /** The bootstrap API key (`GATEWAY_BOOTSTRAP_API_KEY`, a `clapi_` key); generated when absent. */
        Optional<String> apiKey();

        /** Name of the bootstrap organisation. */
        @WithDefault("Bootstrap organisation")
        String organizationName();

        /** Credits the bootstrap organisation starts with. */
        @WithDefault("100000")
        double credits();

        /** Requests per minute of the bootstrap organisation (generous: it is what local scripts use). */
        @WithDefault("1200")
        int organizationPerMinute();

        /** Requests per minute of each bootstrap organisation key. */
        @WithDefault("600")
        int keyPerMinute();
    }

    interface Topics {
        /** One record per contact to enrich, keyed by task id. */
        @WithDefault("enrichment.tasks")
        String tasks();

        /** One record per settled task, keyed by workflow id. */
        @WithDefault("enrichment.results")
        String results();

        /** Workflow lifecycle records, keyed by workflow id. */
        @WithDefault("enrichment.workflows")
        String workflows();

        /** Task records that could not be processed. */
        @WithDefault("enrichment.tasks.dlq")
        String tasksDlq();
    }
}
