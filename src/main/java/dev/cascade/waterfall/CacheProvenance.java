package dev.cascade.waterfall;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.cascade.events.ResultItem;
import dev.cascade.events.TaskRecord;
import dev.cascade.events.TraceStep;
import dev.cascade.events.WaterfallSpec;

/**
 * Which providers a cached result asked, per capability, in the order they were asked; stored beside the result so
 * that a request pinning its own waterfall (§4.2) is answered from the cache only by results its providers produced.
 */
record CacheProvenance(List<String> email, List<String> phone, List<String> verify, List<String> prospect) {

    /** The providers a settled task's trace shows as asked (the cache's own steps are not providers). */
    static CacheProvenance of(List<TraceStep> trace) {
        Set<String> email = new LinkedHashSet<>();
        Set<String> phone = new LinkedHashSet<>();
        Set<String> verify = new LinkedHashSet<>();
        Set<String> prospect = new LinkedHashSet<>();
        for (TraceStep step : trace) {
            Set<String> into = switch (step.capability()) {
                case "email" -> email;
                case "phone" -> phone;
                case "verify" -> verify;
                case "prospect" -> prospect;
                default -> null;
            };
            if (into != null) {
                into.add(step.provider());
            }
        }
        return new CacheProvenance(List.copyOf(email), List.copyOf(phone), List.copyOf(verify), List.copyOf(prospect));
    }

    /**
     * Whether a cached result may answer the task. Without pinned providers any entry does (the operator's waterfall
     * may change; the cache has always been per organisation, not per waterfall). For each pinned capability, every
     * value found must come from a pinned provider, and "nothing found" is an answer only when every pinned provider
     * was asked for it; a pinned verifier must be the only one that judged the emails. An entry without provenance
     * (cached before it was recorded) answers a pinned capability only with values its pinned providers found.
     *
     * @param provenance the entry's provenance, or null when unknown
     */
    static boolean honours(TaskRecord task, ResultItem item, CacheProvenance provenance, int maxProspects) {
        WaterfallSpec spec = task.waterfall();
        if (spec == null) {
            return true;
        }
        Map<String, String> source = item.source() == null ? Map.of() : item.source();
        return switch (task.enrichmentType()) {
            case "prospecting_only" -> prospectsHonour(spec.prospect(), item, provenance, maxProspects);
            case "phone_only" -> phonesHonour(spec.phone(), item, source, provenance);
            case "full" ->
                emailsHonour(spec, item, source, provenance) && phonesHonour(spec.phone(), item, source, provenance);
            default -> emailsHonour(spec, item, source, provenance);
        };
    }

    private static boolean emailsHonour(
            WaterfallSpec spec, ResultItem item, Map<String, String> source, CacheProvenance provenance) {
        if (spec.verify() != null
                && item.hasEmail()
                && (provenance == null || !List.of(spec.verify()).containsAll(provenance.verify()))) {
            return false;
        }
        return pinned(
                spec.email(),
                item.hasEmail(),
                found(item.hasEmail(), source.get("email")),
                provenance,
                CacheProvenance::email);
    }

    private static boolean phonesHonour(
            List<String> pins, ResultItem item, Map<String, String> source, CacheProvenance provenance) {
        return pinned(
                pins, item.hasPhone(), found(item.hasPhone(), source.get("phone")), provenance, CacheProvenance::phone);
    }

    private static boolean prospectsHonour(
            List<String> pins, ResultItem item, CacheProvenance provenance, int maxProspects) {
        List<ResultItem> rows = item.prospects() == null ? List.of() : item.prospects();
        List<String> sources = new ArrayList<>();
        for (ResultItem row : rows) {
            sources.add(nonNull(row.source() == null ? null : row.source().get("prospect")));
        }
        // A full list needs no more providers; a short one is the answer only if every pinned one was asked.
        boolean complete = !rows.isEmpty() && rows.size() >= maxProspects;
        return pinned(pins, complete, sources, provenance, CacheProvenance::prospect);
    }

    /**
     * The rule for one capability: no pin, any entry; a value found, its providers all pinned; nothing (or not
     * enough) found, every pinned provider asked.
     */
    private static boolean pinned(
            List<String> pins,
            boolean found,
            List<String> sources,
            CacheProvenance provenance,
            java.util.function.Function<CacheProvenance, List<String>> asked) {
        if (pins == null) {
            return true;
        }
        if (!pins.containsAll(sources)) {
            return false;
        }
        if (found) {
            return true;
        }
        List<String> were = provenance == null ? null : asked.apply(provenance);
        return were != null && were.containsAll(pins);
    }

    /** The provider that found a capability's value (empty when none was found). */
    private static List<String> found(boolean found, String provider) {
        return found ? List.of(nonNull(provider)) : List.of();
    }

    private static String nonNull(String value) {
        return Objects.requireNonNullElse(value, "");
    }
}
