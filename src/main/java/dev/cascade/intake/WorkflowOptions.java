package dev.cascade.intake;

import java.math.BigDecimal;

import dev.cascade.events.WaterfallSpec;

/** The per-request options a workflow keeps (column `workflows.options`), needed to re-publish its tasks. */
record WorkflowOptions(
        WaterfallSpec waterfall,
        Integer maxCacheAgeDays,
        Integer maxProspectsPerCompany,
        BigDecimal maxCredits,
        Boolean perContactWebhooks) {}
