package dev.cascade.config;

import jakarta.annotation.Priority;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;

/**
 * Leaves the thread contexts the gateway never carries across callbacks out of context propagation, by answering
 * {@code mp.context.ThreadContext.unchanged} (MicroProfile Context Propagation's default for every callback Mutiny
 * wraps) when it is not set.
 *
 * <p>Every Mutiny callback captures and restores each propagated context. Two of them only cost CPU here (about 3 % of
 * the gateway's in the end-to-end benchmark, async-profiler, docs/performance.md): the JTA transaction (`Transaction`:
 * nothing in the gateway runs a JTA transaction; its database work is on the reactive client) and, while tracing is off
 * ({@code quarkus.otel.sdk.disabled}, the default), the OpenTelemetry context (`OpenTelemetry`: always the empty root
 * then; with tracing on it is propagated as before). The CDI request context is still propagated. An explicit
 * {@code mp.context.ThreadContext.unchanged} is honoured as it is.
 */
@Priority(Priorities.APPLICATION)
public class ContextPropagationDefaults implements ConfigSourceInterceptor {
    static final String UNCHANGED = "mp.context.ThreadContext.unchanged";
    static final String TRACING_OFF = "quarkus.otel.sdk.disabled";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        if (!UNCHANGED.equals(name) || own != null && own.getValue() != null) {
            return own;
        }
        ConfigValue tracingOff = context.proceed(TRACING_OFF);
        boolean off = tracingOff != null
                && tracingOff.getValue() != null
                && Boolean.parseBoolean(tracingOff.getValue().trim());
        return ConfigValue.builder()
                .withName(name)
                .withValue(off ? "Transaction,OpenTelemetry" : "Transaction")
                .withConfigSourceName("cascade context-propagation defaults")
                .build();
    }
}
