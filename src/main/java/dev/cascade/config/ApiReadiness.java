package dev.cascade.config;

import java.util.Set;
import jakarta.annotation.Priority;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;

/**
 * Keeps the broker out of the readiness of a process with the `api` role, by answering the Kafka channels'
 * {@code health-readiness-enabled} attribute from {@code cascade.roles}.
 *
 * <p>Readiness decides whether the Service sends a pod requests. An `api` process accepts a submit while the broker is
 * down: the workflow and its tasks are committed to PostgreSQL first, the submit answers after the dispatch timeout,
 * and the dispatch sweeper publishes the tasks once the broker is back (docs/operations.md). Taking every pod out of
 * the Service during a broker outage would refuse those submits (and status reads, which need only PostgreSQL) for
 * nothing, so in such a process no channel's broker connection counts for readiness; PostgreSQL and bootstrap still
 * do. A worker-only process (`waterfall`, `aggregator`, `webhooks`) receives no requests: its channels keep their
 * readiness, so it reports not-ready while it cannot reach the broker. Liveness is untouched: the connector reports a
 * channel dead only for a failure it caught (a consumer closed by the unacked-record age, say), never for an
 * unreachable broker. An explicit {@code health-readiness-enabled} is honoured.
 */
@Priority(Priorities.APPLICATION)
public class ApiReadiness implements ConfigSourceInterceptor {
    /** Every Kafka channel of application.properties. */
    static final Set<String> CHANNELS = Set.of(
            "mp.messaging.incoming.tasks-in.",
            "mp.messaging.incoming.results-in.",
            "mp.messaging.outgoing.workflows-out.",
            "mp.messaging.outgoing.cancelled-results-out.");

    private static final String ATTRIBUTE = "health-readiness-enabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        if (own != null && own.getValue() != null || !name.endsWith(ATTRIBUTE) || !isChannelAttribute(name)) {
            return own;
        }
        Roles roles = Roles.configured(context);
        if (roles == null) {
            // The typed config root refuses start-up with this message before any channel is built.
            return own;
        }
        if (!roles.has(Role.API)) {
            return own;
        }
        return ConfigValue.builder()
                .withName(name)
                .withValue("false")
                .withConfigSourceName("cascade.roles")
                .build();
    }

    private static boolean isChannelAttribute(String name) {
        String prefix = name.substring(0, name.length() - ATTRIBUTE.length());
        return CHANNELS.contains(prefix);
    }
}
