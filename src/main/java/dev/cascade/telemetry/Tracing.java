package dev.cascade.telemetry;

import java.time.Instant;
import jakarta.enterprise.context.ApplicationScoped;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The gateway's own spans: one trace per workflow, from the submit through its task records, each task's waterfall
 * and provider calls, its result record and settle, to the webhook attempts (docs/operations.md, "Telemetry").
 *
 * <p>Tracing is off unless {@code quarkus.otel.sdk.disabled=false}. Off, every method here answers at its first line
 * (null contexts, the invalid span) and callers skip their tracing work on a null context, so the hot paths (a task
 * record, a provider step, a result record) pay one field read.
 */
@ApplicationScoped
public class Tracing {
    public static final AttributeKey<String> WORKFLOW_ID = AttributeKey.stringKey("cascade.workflow_id");
    public static final AttributeKey<String> TASK_ID = AttributeKey.stringKey("cascade.task_id");
    public static final AttributeKey<String> ORG_ID = AttributeKey.stringKey("cascade.org_id");
    public static final AttributeKey<String> ENRICHMENT_TYPE = AttributeKey.stringKey("cascade.enrichment_type");
    public static final AttributeKey<String> STATUS = AttributeKey.stringKey("cascade.status");
    public static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("cascade.provider");
    public static final AttributeKey<String> CAPABILITY = AttributeKey.stringKey("cascade.capability");
    public static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("cascade.outcome");
    public static final AttributeKey<String> DETAIL = AttributeKey.stringKey("cascade.detail");
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    public static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    public static final AttributeKey<String> OPERATION = AttributeKey.stringKey("messaging.operation.type");
    public static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");

    private final boolean enabled;
    private final Tracer tracer;

    public Tracing(
            OpenTelemetry openTelemetry,
            @ConfigProperty(name = "quarkus.otel.sdk.disabled", defaultValue = "false") boolean sdkDisabled) {
        this.enabled = !sdkDisabled;
        this.tracer = openTelemetry.getTracer("dev.cascade.gateway");
    }

    public boolean enabled() {
        return enabled;
    }

    /** The current context (a request's server span), or null when tracing is off. */
    public Context current() {
        return enabled ? Context.current() : null;
    }

    /** The context a Kafka record's headers carry, or null when tracing is off. */
    public Context extract(Headers headers) {
        return enabled ? TraceHeaders.extract(headers) : null;
    }

    /** The context a stored `traceparent` names, or null when tracing is off. */
    public Context parse(String traceparent) {
        return enabled ? TraceHeaders.fromTraceparent(traceparent) : null;
    }

    /** The `traceparent` of a context, or null when tracing is off or there is no span. */
    public String traceparent(Context context) {
        return enabled ? TraceHeaders.traceparent(context) : null;
    }

    /** A span builder under the parent (a new trace when the parent is null or has no span); null when off. */
    public SpanBuilder builder(String name, SpanKind kind, Context parent) {
        if (!enabled) {
            return null;
        }
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent == null ? Context.root() : parent);
    }

    /** Starts a span under the parent; the invalid (no-op) span when tracing is off. */
    public Span start(String name, SpanKind kind, Context parent) {
        SpanBuilder builder = builder(name, kind, parent);
        return builder == null ? Span.getInvalid() : builder.startSpan();
    }

    /** A Kafka span (`publish <topic>`, `process <topic>`) under the parent; the invalid span when off. */
    public Span messaging(String operation, SpanKind kind, String topic, Context parent) {
        SpanBuilder builder = builder(operation + " " + topic, kind, parent);
        if (builder == null) {
            return Span.getInvalid();
        }
        return builder.setAttribute(MESSAGING_SYSTEM, "kafka")
                .setAttribute(DESTINATION, topic)
                .setAttribute(OPERATION, operation)
                .startSpan();
    }

    /**
     * A provider call of a task's waterfall, recorded when it finished: a span under the task's span from when the
     * call started (`startedNanos`, from {@link System#nanoTime()}) to now, with the trace step's outcome.
     */
    public void providerCall(
            Context task, String provider, String capability, String outcome, long startedNanos, String detail) {
        if (!enabled || task == null) {
            return;
        }
        long now = System.nanoTime();
        Instant started = Instant.now().minusNanos(Math.max(0, now - startedNanos));
        Span span = tracer.spanBuilder("provider " + provider + " " + capability)
                .setSpanKind(SpanKind.CLIENT)
                .setParent(task)
                .setStartTimestamp(started)
                .setAttribute(PROVIDER, provider)
                .setAttribute(CAPABILITY, capability)
                .setAttribute(OUTCOME, outcome)
                .startSpan();
        if (detail != null) {
            span.setAttribute(DETAIL, detail);
        }
        if ("error".equals(outcome)) {
            span.setStatus(StatusCode.ERROR, detail == null ? "error" : detail);
        }
        span.end();
    }

    /**
     * Makes the context current until the scope is closed, so that what is logged meanwhile carries its trace and
     * span ids; a no-op scope for a null context (tracing off). For synchronous work only.
     */
    public static Scope scope(Context context) {
        return context == null ? Scope.noop() : context.makeCurrent();
    }

    /**
     * Ends a span, marking it failed when there was a failure. Only the failure's class is recorded, never its
     * message or stack: a message may quote a URL, and a vendor URL may carry an API key.
     */
    public static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.setStatus(StatusCode.ERROR, failure.getClass().getSimpleName());
        }
        span.end();
    }
}
