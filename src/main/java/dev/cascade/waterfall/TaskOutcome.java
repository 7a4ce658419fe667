package dev.cascade.waterfall;

import java.util.List;

import dev.cascade.events.ResultItem;
import dev.cascade.events.TraceStep;

/**
 * A settled task: its result item, the provider steps that led to it, the credits it costs, and whether it may be
 * cached (every provider asked answered, nothing was cut short, it did not come from the cache).
 */
public record TaskOutcome(ResultItem item, List<TraceStep> trace, double credits, boolean cacheable) {}
