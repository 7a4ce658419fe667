package dev.cascade.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** W3C trace context in Kafka headers and as a stored `traceparent`, without a running gateway. */
class TraceHeadersTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN_ID = "00f067aa0ba902b7";

    private static Context sampled(TraceState state) {
        return Context.root().with(Span.wrap(SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), state)));
    }

    @Test
    void aContextGoesIntoKafkaHeadersBesideTheOthersAndComesBack() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", "t1".getBytes(StandardCharsets.UTF_8));
        TraceHeaders.inject(sampled(TraceState.builder().put("vendor", "x").build()), headers);

        assertThat(new String(headers.lastHeader("traceparent").value(), StandardCharsets.UTF_8))
                .isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-01");
        assertThat(new String(headers.lastHeader("tracestate").value(), StandardCharsets.UTF_8))
                .isEqualTo("vendor=x");
        assertThat(headers.lastHeader("ce_id")).isNotNull();

        SpanContext extracted = Span.fromContext(TraceHeaders.extract(headers)).getSpanContext();
        assertThat(extracted.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(extracted.getSpanId()).isEqualTo(SPAN_ID);
        assertThat(extracted.isRemote()).isTrue();
    }

    @Test
    void noContextAddsNoHeaderAndNoHeaderGivesNoParent() {
        RecordHeaders headers = new RecordHeaders();
        TraceHeaders.inject(null, headers);
        TraceHeaders.inject(Context.root(), headers);
        assertThat(headers.toArray()).isEmpty();
        assertThat(Span.fromContext(TraceHeaders.extract(headers))
                        .getSpanContext()
                        .isValid())
                .isFalse();
        assertThat(TraceHeaders.traceparent(null)).isNull();
        assertThat(TraceHeaders.traceparent(Context.root())).isNull();
    }

    @Test
    void aStoredTraceparentRoundTripsAndAMalformedOneIsIgnored() {
        String traceparent = TraceHeaders.traceparent(sampled(TraceState.getDefault()));
        assertThat(traceparent).isEqualTo("00-" + TRACE_ID + "-" + SPAN_ID + "-01");
        assertThat(Span.fromContext(TraceHeaders.fromTraceparent(traceparent))
                        .getSpanContext()
                        .getSpanId())
                .isEqualTo(SPAN_ID);
        for (String malformed : new String[] {null, "", "00-zz-yy-01", "00-" + TRACE_ID + "-" + SPAN_ID}) {
            assertThat(Span.fromContext(TraceHeaders.fromTraceparent(malformed))
                            .getSpanContext()
                            .isValid())
                    .as(String.valueOf(malformed))
                    .isFalse();
        }
    }
}
