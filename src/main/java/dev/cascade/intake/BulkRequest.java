package dev.cascade.intake;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

import dev.cascade.events.Contact;
import dev.cascade.events.WaterfallSpec;

/** A validated, normalised bulk request. */
public record BulkRequest(
        EnrichmentType enrichmentType,
        String webhookUrl,
        List<Contact> contacts,
        WaterfallSpec waterfall,
        Integer maxCacheAgeDays,
        Integer maxProspectsPerCompany,
        BigDecimal maxCredits,
        Map<String, String> custom,
        boolean perContactWebhooks) {}
