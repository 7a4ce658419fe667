package dev.cascade.config;

import java.util.Map;
import jakarta.annotation.Priority;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;

/**
 * Switches the Kafka consumers of the roles this process does not have off, by answering their channels'
 * {@code enabled} attribute from {@code cascade.roles}.
 *
 * <p>SmallRye Reactive Messaging never creates a channel whose {@code mp.messaging.incoming|outgoing.<ch>.enabled}
 * is false: no Kafka consumer, so no consumer-group membership, no poll loop, no DLQ producer. The {@code @Incoming}
 * method that would have consumed it is then left unwired (the container logs that it has no upstream and does not
 * fail, as strict binding is off), and nothing in the application injects these channels, which is what a disabled
 * channel requires. The alternatives do not fit: {@code @IfBuildProperty} and friends decide at build time, but one
 * image must serve every role; pausing a channel still joins the consumer group. Deriving the attribute here, at
 * lookup, keeps one setting for the operator and needs no line per channel in {@code application.properties}. An
 * explicit {@code enabled=false} is still honoured; nothing can switch a channel on against the roles.
 *
 * <p>Only channels that run no emitter are switched: disabling an outgoing channel behind an injected
 * {@code Emitter} fails start-up, so the intake, lifecycle and cancel producers stay in every process (idle where
 * unused; a producer joins no group).
 */
@Priority(Priorities.APPLICATION)
public class RoleChannels implements ConfigSourceInterceptor {
    private static final Map<String, Role> CHANNEL_ROLES = Map.of(
            "mp.messaging.incoming.tasks-in.enabled", Role.WATERFALL,
            "mp.messaging.incoming.results-in.enabled", Role.AGGREGATOR);

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        Role role = CHANNEL_ROLES.get(name);
        if (role == null) {
            return own;
        }
        Roles roles = Roles.configured(context);
        if (roles == null) {
            // The typed config root refuses start-up with this message before any channel is built.
            return own;
        }
        boolean explicit = own == null
                || own.getValue() == null
                || Boolean.parseBoolean(own.getValue().trim());
        String enabled = Boolean.toString(roles.has(role) && explicit);
        return own == null
                ? ConfigValue.builder()
                        .withName(name)
                        .withValue(enabled)
                        .withConfigSourceName("cascade.roles")
                        .build()
                : own.withValue(enabled);
    }
}
