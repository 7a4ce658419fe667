package dev.cascade.intake;

import java.math.BigDecimal;

import dev.cascade.events.WaterfallSpec;

/**
 * The per-request options a workflow keeps (column `workflows.options`), needed to re-publish its tasks; with tracing
 * on, also the submit's W3C `traceparent` (key `traceparent`), under which a re-publish and the webhook attempts of
 * the workflow are traced (absent when tracing is off).
 */
record WorkflowOptions(
        WaterfallSpec waterfall,
        Integer maxCacheAgeDays,
        Integer maxProspectsPerCompany,
        BigDecimal maxCredits,
        Boolean perContactWebhooks,
        String traceparent) {}
