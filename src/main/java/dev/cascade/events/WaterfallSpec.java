package dev.cascade.events;

import java.util.List;

/**
 * A per-request waterfall override (§4.2); omitted parts use the operator's defaults. {@code prospect} (the
 * discovery providers of `prospecting_only`) is an addition to the contract's fields.
 */
public record WaterfallSpec(
        List<String> email, List<String> phone, String verify, String stopOn, List<String> prospect) {}
