package dev.cascade.telemetry;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C trace context (`traceparent`, `tracestate`) in Kafka record headers, beside the CloudEvents ones, and as the
 * one `traceparent` string a workflow keeps in PostgreSQL for its webhook. Only the W3C propagator is used: what
 * Cascade writes is readable by any OpenTelemetry consumer, whatever propagators the process is configured with.
 */
public final class TraceHeaders {
    public static final String TRACEPARENT = "traceparent";
    public static final String TRACESTATE = "tracestate";

    private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

    private static final TextMapSetter<Headers> KAFKA_SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.remove(key);
            headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
    };

    private static final TextMapGetter<Headers> KAFKA_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
            List<String> keys = new ArrayList<>();
            for (Header header : headers) {
                keys.add(header.key());
            }
            return keys;
        }

        @Override
        public String get(Headers headers, String key) {
            if (headers == null) {
                return null;
            }
            Header header = headers.lastHeader(key);
            return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapGetter<String> TRACEPARENT_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String traceparent) {
            return List.of(TRACEPARENT);
        }

        @Override
        public String get(String traceparent, String key) {
            return TRACEPARENT.equals(key) ? traceparent : null;
        }
    };

    private TraceHeaders() {}

    /** Adds the context's `traceparent` (and `tracestate`, if any) to the headers; nothing without a valid span. */
    public static void inject(Context context, Headers headers) {
        if (context != null) {
            W3C.inject(context, headers, KAFKA_SETTER);
        }
    }

    /** The context the headers carry; the root context (no parent) when they carry none or a malformed one. */
    public static Context extract(Headers headers) {
        return headers == null ? Context.root() : W3C.extract(Context.root(), headers, KAFKA_GETTER);
    }

    /** The context's `traceparent` header value, or null without a valid span. */
    public static String traceparent(Context context) {
        if (context == null) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3C.inject(context, carrier, Map::put);
        return carrier.get(TRACEPARENT);
    }

    /** The context a stored `traceparent` names; the root context when there is none or it is malformed. */
    public static Context fromTraceparent(String traceparent) {
        return traceparent == null || traceparent.isBlank()
                ? Context.root()
                : W3C.extract(Context.root(), traceparent, TRACEPARENT_GETTER);
    }
}
