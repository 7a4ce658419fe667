package dev.cascade.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithDefaults;
import io.smallrye.config.WithParentName;

/** The one configuration root of the gateway; every key has a default and a line of Javadoc. */
@ConfigMapping(prefix = "cascade")
public interface CascadeConfig {

    /**
     * What this process does (env `CASCADE_ROLES`): a comma list of `api` (REST API, intake, status, streams and the
     * intake sweeps), `waterfall` (the task consumer), `aggregator` (the result consumer) and `webhooks` (the
     * sender), or `all`. One image serves every deployment: API pods with `api`, workers with the others. A process
     * without `api` answers 404 under `/api` but still serves `/q/health` and `/q/metrics`; one without `waterfall` or
     * `aggregator` never joins that consumer group. Every role must run in at least one process. An unknown name
     * refuses start-up.
     */
    @WithDefault("api,waterfall,aggregator,webhooks")
    @WithConverter(Roles.Parser.class)
    Roles roles();

    /** Where PostgreSQL is (the datasource URLs are built from these; env `CASCADE_DB_*`). */
    Db db();

    /** Accepting bulk requests. */
    Intake intake();

    /** Running the provider waterfalls. */
    Waterfall waterfall();

    /** The built-in simulated providers. */
    Simulator simulator();

    /**
     * Every provider by name (`cascade.providers.<name>.*`): which adapter it is, its endpoint and credentials, its
     * cost and its guard. A name without settings gets the defaults below (the simulated providers need none).
     */
    @WithDefaults
    Map<String, ProviderSettings> providers();

    /** The result cache (§4.3). */
    Cache cache();

    /** Webhook delivery. */
    Webhooks webhooks();

    /** Credit costs per found item (§3 of the contract). */
    Credits credits();

    /** Organisations' API keys, idempotent submits and lead lists. */
    Accounts accounts();

    /** The progress stream (§4.5, Server-Sent Events). */
    Stream stream();

    /** Operator API: its token and the throttle on failed authentication. */
    AdminSettings admin();

    /** Rate limits per organisation and per key (§10). */
    RateLimits rateLimits();

    /** Start-up bootstrap of an organisation and an API key. */
    Bootstrap bootstrap();

    /** Kafka topic names (the public event contract). */
    Topics topics();

    /** Per-organisation quotas: unfinished workflows, contacts per day, webhook redeliveries per hour. */
    QuotaSettings quotas();

    /** How long finished workflows are kept, and the job that deletes them. */
    RetentionSettings retention();

    /** The open-credit-hold gauges ({@link LedgerHoldSettings}); the scheduler reads the interval by its key. */
    LedgerHoldSettings ledgerHolds();

    /** How long the dispatch sweeper tries to publish a workflow before it gives the workflow up. */
    DispatchSettings dispatch();

    /** The aggregator's settle transactions ({@link AggregatorSettings}). */
    AggregatorSettings aggregator();

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

        /**
         * How long the task-record producer may wait to fill a batch. A submit's records are sent as soon as the
         * publisher has handed them all over and has no other publish queued (it flushes the producer then), so this
         * only bounds how long a batch waits while further submits are still being handed over: long enough that the
         * batches of submits handed over together share a produce request. (While a flush waits for its
         * acknowledgements, Kafka sends whatever is handed over at once.)
         */
        @WithDefault("5ms")
        Duration producerLinger();

        /**
         * Largest batch of task records per partition, in bytes. A submit's records share one partition: about 100 KB
         * of JSON, which lz4 makes one batch well below this (the producer sizes compressed batches by their estimate).
         */
        @WithDefault("65536")
        int producerBatchBytes();

        /**
         * Memory the task-record producer may hold for unacknowledged records, in bytes: room for about 80 submits
         * in flight. A full buffer makes a submit wait (up to the dispatch timeout), never drops a record.
         */
        @WithDefault("8388608")
        long producerBufferBytes();
    }

    interface Waterfall {
        /** Tasks one gateway instance keeps in flight at once. */
        @WithDefault("256")
        int maxInFlight();

        /**
         * How many event loops of their own the tasks run on, each task on the next in turn (on a duplicated context
         * of its own), apart from the Vert.x event loops that serve HTTP, deliver the records and run the aggregator.
         * 0 (the default): one per processor the JVM sees.
         */
        @WithDefault("0")
        int eventLoops();

        /**
         * Upper bound of one task's whole waterfall; with the result publish (at most 20 s) it stays well under the
         * task consumer's unacked-record age (120 s), so a slow vendor can never make the consumer unhealthy.
         */
        @WithDefault("25s")
        Duration taskDeadline();

        /** Drain on shutdown: how long running tasks may take to finish after SIGTERM ({@link DrainSettings}). */
        DrainSettings drain();

        /** The result producer ({@link ResultProducerSettings}). */
        ResultProducerSettings results();

        /**
         * Email finders, in waterfall order. Unset (the default): the simulated finders when the simulator is on,
         * else every usable (configured) provider with the capability, cheapest first, then by name.
         */
        Optional<List<String>> email();

        /** Phone finders, in waterfall order. Unset (the default): derived like {@link #email()}. */
        Optional<List<String>> phone();

        /**
         * The email verifier asked about every candidate its finder did not verify. Unset (the default): derived
         * like {@link #email()} (the first such provider); none when no verifier is configured.
         */
        Optional<String> verify();

        /** People-discovery providers for `prospecting_only`, in order. Unset (the default): derived like email. */
        Optional<List<String>> prospect();

        /** Region (ISO 3166 alpha-2) assumed for a phone number written without a country code. */
        @WithDefault("US")
        String defaultPhoneRegion();
    }

    /** One provider: its adapter, endpoint, credentials, cost and fault-tolerance guard. */
    interface ProviderSettings {
        /**
         * The adapter: `hunter`, `prospeo`, `pdl`, `apollo`, `zerobounce`, `neverbounce`, `http` (the declarative
         * provider), `smtp-verify` (the built-in SMTP verifier) or `simulated`; defaults to the provider's name.
         */
        Optional<String> type();

        /** A disabled provider is never called and may not be named in a request's `waterfall`. */
        @WithDefault("true")
        boolean enabled();

        /** The vendor's API base URL; defaults to the vendor's public one. */
        Optional<String> baseUrl();

        /** The API key (set it from the environment or a Kubernetes secret, never in a committed file). */
        Optional<String> apiKey();

        /** A file holding the API key (a mounted Kubernetes secret); read at start when `api-key` is not set. */
        Optional<Path> apiKeyFile();

        /** Vendor credits one answer costs us, reported with the provider (provenance and operator reports). */
        @WithDefault("1")
        double cost();

        /** Time allowed for one call (one attempt) before it counts as a `timeout` failure. */
        @WithDefault("5s")
        Duration timeout();

        /** Retries of retryable failures (connect errors, 5xx, throttling). */
        Retry retry();

        /** The provider's own circuit breaker. */
        Breaker breaker();

        /** Concurrent calls to the provider. */
        Bulkhead bulkhead();

        /** The vendor's quota, enforced before a call leaves and shared by every gateway process. */
        ProviderRateLimit rateLimit();

        /** The declarative HTTP provider's request and response mapping (type `http`). */
        Declarative http();

        /** The built-in SMTP verifier's settings (type `smtp-verify`). */
        SmtpVerifySettings smtp();

        interface Retry {
            /** Retries after the first attempt (0 disables retrying). */
            @WithDefault("2")
            int maxRetries();

            /** Delay before the first retry; each further retry doubles it. */
            @WithDefault("200ms")
            Duration delay();

            /** Longest delay between two attempts. */
            @WithDefault("2s")
            Duration maxDelay();

            /** Random spread added to or taken from each delay. */
            @WithDefault("100ms")
            Duration jitter();

            /** Longest `Retry-After` honoured; a vendor asking for longer makes the call fail at once. */
            @WithDefault("5s")
            Duration retryAfterCap();

            /** Upper bound of all attempts of one call together. */
            @WithDefault("12s")
            Duration maxDuration();
        }

        interface Breaker {
            /** Whether the provider has a circuit breaker. */
            @WithDefault("true")
            boolean enabled();

            /** Calls in the rolling window the failure ratio is measured over. */
            @WithDefault("20")
            int requestVolume();

            /** Share of failed calls in the window that opens the breaker. */
            @WithDefault("0.5")
            double failureRatio();

            /** How long the breaker stays open before it lets trial calls through (half-open). */
            @WithDefault("30s")
            Duration delay();

            /** Successful trial calls that close a half-open breaker. */
            @WithDefault("2")
            int successThreshold();
        }

        interface Bulkhead {
            /** Calls in progress at once (the default matches the waterfall's tasks in flight). */
            @WithDefault("256")
            int limit();

            /** Calls waiting for a free slot; beyond that a call fails at once (`bulkhead full`). */
            @WithDefault("1024")
            int queue();
        }

        /** The declarative HTTP provider: a vendor described entirely in configuration. */
        interface Declarative {
            /** What the provider answers: any of `email`, `phone`, `verify`, `prospect`. */
            Optional<List<String>> capabilities();

            /** HTTP method. */
            @WithDefault("GET")
            String method();

            /**
             * URL template; `{first_name}`, `{last_name}`, `{full_name}`, `{company_domain}`, `{company_name}`,
             * `{linkedin_url}`, `{email}`, `{max_prospects}` and `{api_key}` are replaced, URL-encoded.
             */
            Optional<String> url();

            /** JSON body template (same placeholders, JSON-escaped); absent: no body. */
            Optional<String> body();

            /** Request headers by name; values are templates (e.g. `Bearer {api_key}`). */
            Map<String, String> headers();

            /** HTTP statuses that mean "nothing known" (a miss). */
            @WithDefault("404")
            List<Integer> missStatuses();

            /**
             * Response fields as JSON pointers: `email`, `email-status`, `emails` (array of strings), `phone`,
             * `phones` (array of strings), `phone-type`, `verdict` (a verifier's status), `first-name`, `last-name`,
             * `full-name`, `title`, `linkedin-url`, `location`, `company-name`, `company-domain`, `prospects` (array;
             * the person fields then apply to each element).
             */
            Map<String, String> map();

            /**
             * Vendor status values (of `email-status` or `verdict`) to gateway statuses (`reliable`, `risky`,
             * `unknown`, `invalid`). A listed email status counts as the vendor's own verification; an unlisted one
             * leaves the address to the gateway's verifier; an unlisted verdict is `unknown`.
             */
            Map<String, String> statusValues();
        }
    }

    interface Cache {
        /** Whether settled results are cached and reused (§4.3). */
        @WithDefault("true")
        boolean enabled();

        /** Freshness of a cached result when the request has no `max_cache_age_days`. */
        @WithDefault("30d")
        Duration defaultMaxAge();

        /** Whether a cache hit costs nothing (by default it is charged like a fresh result, §3). */
        @WithDefault("false")
        boolean hitsFree();

        /** Cached results older than this are deleted. */
        @WithDefault("90d")
        Duration retention();

        /** How often old cached results are purged. */
        @WithDefault("1h")
        Duration purgeInterval();
    }

    interface Simulator {
        /**
         * Whether the built-in simulated providers are registered (they invent emails and phones). On only in the
         * local and test profiles; outside them (prod) start-up refuses `true`.
         */
        @WithDefault("false")
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
         * Delays before each attempt, counted from the previous one: the first is the initial attempt. The default is
         * the contract's fast tier (at once, then 1, 2, 4, 8, 16 s) followed by its durable slow tier (5 min, 30 min,
         * 2 h, 5 h, 10 h, 10 h): twelve attempts over about 27.5 hours. After the last the event is `exhausted`.
         */
        @WithDefault("0s,1s,2s,4s,8s,16s,5m,30m,2h,5h,10h,10h")
        List<Duration> schedule();

        /**
         * When a fault of ours spoiled an attempt (the signature could not be made, the body could not be built), the
         * next attempt comes this much later and does not use up a step of the schedule.
         */
        @WithDefault("30s")
        Duration ownFaultRetry();

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

        /** Name servers for webhook hosts, and the ports webhook URLs may name (`dns-servers`, `allowed-ports`). */
        @WithParentName
        WebhookEgressSettings egress();

        /** Most result items one `enrichment.completed` payload carries. */
        @WithDefault("250")
        int resultsLimit();

        /** `User-Agent` of webhook requests. */
        @WithDefault("Cascade/0.1")
        String userAgent();

        /**
         * Key that encrypts the organisations' webhook signing secrets at rest (AES-256-GCM): the base64 of 32 random
         * bytes, the same on every replica (env `CASCADE_WEBHOOKS_SECRETS_KEY`; `openssl rand -base64 32`). No
         * default: without a valid key the gateway refuses to start. The local and test profiles carry a fixed
         * development key.
         */
        Optional<String> secretsKey();

        /**
         * How long the older signing secrets keep signing beside the new one after a rotation, when the operator's
         * rotate call does not say (0 to 7 days).
         */
        @WithDefault("24h")
        Duration secretRotationOverlap();

        /** Fairness between organisations: caps per organisation on slots, pending events, per-contact events, DNS. */
        WebhookFairnessSettings fairness();
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

    interface Stream {
        /**
         * How often the process's shared poller reads PostgreSQL for every workflow with open streams (one statement
         * per poll, whatever the number of streams).
         */
        @WithDefault("500ms")
        Duration pollInterval();

        /** How often an idle stream sends a comment line, so proxies keep the connection open. */
        @WithDefault("15s")
        Duration heartbeat();

        /** Longest a single stream stays open; the client reconnects with `Last-Event-ID` and loses nothing. */
        @WithDefault("30m")
        Duration maxDuration();

        /** Caps on open streams per key and organisation, and the shared poller's read size. */
        StreamLimits limits();
    }

    interface Accounts {
        /** Most API keys an organisation may have active (neither revoked nor expired) at once. */
        @WithDefault("10")
        int maxActiveKeys();

        /** How long an `Idempotency-Key` and the first answer to it are kept (§4.1). */
        @WithDefault("24h")
        Duration idempotencyRetention();

        /**
         * How long a submit may hold its `Idempotency-Key` while it is handled; a gateway that died meanwhile leaves
         * the key to the next request with the same body once this has passed.
         */
        @WithDefault("2m")
        Duration idempotencyClaim();
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
        /** One record per contact to enrich, keyed by workflow id. */
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
