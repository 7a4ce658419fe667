package dev.cascade.waterfall;

import java.util.List;

import dev.cascade.events.ResultItem;
import dev.cascade.events.TraceStep;

/** A settled task: its result item, the provider steps that led to it, and the credits it costs. */
public record TaskOutcome(ResultItem item, List<TraceStep> trace, double credits) {}
