package dev.cascade.intake;

import java.math.BigDecimal;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import dev.cascade.config.CascadeConfig;
import dev.cascade.events.Contact;
import dev.cascade.events.WaterfallSpec;
import dev.cascade.support.ApiException;
import dev.cascade.support.Text;
import dev.cascade.support.ValidationException;
import dev.cascade.support.ValidationProblem;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.ProviderRegistry;
import dev.cascade.webhooks.EgressPolicy;

/**
 * Checks a bulk request in the contract's order (§2.1, steps 4 to 7) and normalises it. Field validation
 * reports every offending field and contact, not just the first.
 */
@ApplicationScoped
public class BulkRequestParser {
    static final String EMPTY = "At least one contact is required.";
    static final String TOO_MANY = "Bulk enrichment supports up to 250 contacts per request.";
    private static final int MAX_NAME = 200;
    private static final int MAX_URL = 2048;
    private static final List<String> CONTACT_FIELDS =
            List.of("linkedin_url", "first_name", "last_name", "company_domain", "company_name");

    private final CascadeConfig config;
    private final ProviderRegistry providers;
    private final EgressPolicy egress;

    public BulkRequestParser(CascadeConfig config, ProviderRegistry providers, EgressPolicy egress) {
        this.config = config;
        this.providers = providers;
        this.egress = egress;
    }

    public BulkRequest parse(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw single("dict_type", List.of("body"), "Input should be a valid dictionary", body);
        }
        JsonNode contacts = body.get("contacts");
        if (contacts == null || contacts.isNull()) {
            throw single("missing", List.of("body", "contacts"), "Field required", null);
        }
        if (!contacts.isArray()) {
            throw single("list_type", List.of("body", "contacts"), "Input should be a valid list", contacts);
        }
        if (contacts.isEmpty()) {
            throw new ApiException(400, EMPTY);
        }
        if (contacts.size() > config.intake().maxContacts()) {
            throw new ApiException(400, TOO_MANY);
        }

        List<ValidationProblem> problems = new ArrayList<>();
        EnrichmentType type = enrichmentType(body.get("enrichment_type"), problems);
        String webhookUrl = webhookUrl(body.get("webhook_url"), problems);
        Map<String, String> custom = custom(body.get("custom"), problems);
        WaterfallSpec waterfall = waterfall(body.get("waterfall"), problems);
        Integer maxCacheAge = integer(body.get("max_cache_age_days"), "max_cache_age_days", 0, 3650, problems);
        Integer maxProspects =
                integer(body.get("max_prospects_per_company"), "max_prospects_per_company", 1, 100, problems);
        BigDecimal maxCredits = maxCredits(body.get("max_credits"), problems);
        boolean perContact = bool(body.get("per_contact_webhooks"), "per_contact_webhooks", problems);
        if (problems.isEmpty()) {
            served(type, waterfall, body.get("enrichment_type"), problems);
        }

        List<Contact> parsed = new ArrayList<>(contacts.size());
        for (int i = 0; i < contacts.size(); i++) {
            parsed.add(contact(contacts.get(i), i, type, problems));
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(problems);
        }
        return new BulkRequest(
                type, webhookUrl, parsed, waterfall, maxCacheAge, maxProspects, maxCredits, custom, perContact);
    }

    private static ValidationException single(String type, List<Object> loc, String msg, JsonNode input) {
        return new ValidationException(List.of(new ValidationProblem(type, loc, msg, input)));
    }

    private static List<Object> loc(Object... parts) {
        List<Object> loc = new ArrayList<>();
        loc.add("body");
        loc.addAll(List.of(parts));
        return loc;
    }

    private EnrichmentType enrichmentType(JsonNode node, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return EnrichmentType.PARTIAL;
        }
        if (node.isTextual()) {
            var type = EnrichmentType.fromWire(node.asText().trim());
            if (type.isPresent()) {
                return type.get();
            }
        }
        problems.add(new ValidationProblem(
                "literal_error",
                loc("enrichment_type"),
                "Input should be 'none', 'partial', 'phone_only', 'full' or 'prospecting_only'",
                node));
        return EnrichmentType.PARTIAL;
    }

    /**
     * A type whose waterfall has no provider that can be called is refused here, before anything is written: the
     * workflow could only fail (or, with the simulator, be answered with invented data, which production never runs).
     */
    private void served(EnrichmentType type, WaterfallSpec waterfall, JsonNode node, List<ValidationProblem> problems) {
        for (Capability capability : needs(type)) {
            List<String> override = waterfall == null
                    ? null
                    : switch (capability) {
                        case EMAIL -> waterfall.email();
                        case PHONE -> waterfall.phone();
                        case PROSPECT -> waterfall.prospect();
                        case VERIFY -> null;
                    };
            if (providers.order(capability, override).isEmpty()) {
                problems.add(new ValidationProblem(
                        "value_error",
                        loc("enrichment_type"),
                        "enrichment_type '" + type.wire() + "' is not available: no " + capability.wire()
                                + " provider is configured on this gateway",
                        node));
            }
        }
    }

    /** The finder capabilities a type runs (§3); `none` runs no provider. */
    private static List<Capability> needs(EnrichmentType type) {
        return switch (type) {
            case NONE -> List.of();
            case PARTIAL -> List.of(Capability.EMAIL);
            case PHONE_ONLY -> List.of(Capability.PHONE);
            case FULL -> List.of(Capability.EMAIL, Capability.PHONE);
            case PROSPECTING_ONLY -> List.of(Capability.PROSPECT);
        };
    }

    private String webhookUrl(JsonNode node, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            problems.add(
                    new ValidationProblem("string_type", loc("webhook_url"), "Input should be a valid string", node));
            return null;
        }
        String url = node.asText().trim();
        if (url.isEmpty()) {
            return null;
        }
        String refusal = url.length() > MAX_URL || Text.hasControl(url) ? "must be a valid URL" : egress.refusal(url);
        if (refusal != null) {
            problems.add(new ValidationProblem("value_error", loc("webhook_url"), "webhook_url " + refusal, node));
            return null;
        }
        return url;
    }

    private Map<String, String> custom(JsonNode node, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(new ValidationProblem("dict_type", loc("custom"), "Input should be a valid dictionary", node));
            return null;
        }
        if (node.size() > 10) {
            problems.add(new ValidationProblem("value_error", loc("custom"), "custom holds at most 10 keys", null));
            return null;
        }
        Map<String, String> custom = new LinkedHashMap<>();
        var fields = node.fields();
        while (fields.hasNext()) {
            var field = fields.next();
            String key = field.getKey();
            JsonNode value = field.getValue();
            if (key.isEmpty() || key.length() > 100 || Text.hasControl(key)) {
                problems.add(new ValidationProblem(
                        "value_error",
                        loc("custom"),
                        "custom keys must be 1 to 100 characters without control characters",
                        null));
            } else if (!value.isTextual()) {
                problems.add(new ValidationProblem(
                        "string_type", loc("custom", key), "Input should be a valid string", value));
            } else if (value.asText().length() > 100 || Text.hasControl(value.asText())) {
                problems.add(new ValidationProblem(
                        "value_error",
                        loc("custom", key),
                        "custom values must be at most 100 characters without control characters",
                        value));
            } else {
                custom.put(key, value.asText());
            }
        }
        return custom;
    }

    private WaterfallSpec waterfall(JsonNode node, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problems.add(
                    new ValidationProblem("dict_type", loc("waterfall"), "Input should be a valid dictionary", node));
            return null;
        }
        List<String> email = providerList(node.get("email"), "email", Capability.EMAIL, problems);
        List<String> phone = providerList(node.get("phone"), "phone", Capability.PHONE, problems);
        List<String> prospect = providerList(node.get("prospect"), "prospect", Capability.PROSPECT, problems);
        String verify = null;
        JsonNode verifyNode = node.get("verify");
        if (verifyNode != null && !verifyNode.isNull()) {
            if (!verifyNode.isTextual() || !providers.supports(verifyNode.asText(), Capability.VERIFY)) {
                problems.add(new ValidationProblem(
                        "value_error", loc("waterfall", "verify"), "Unknown or disabled verify provider", verifyNode));
            } else {
                verify = verifyNode.asText();
            }
        }
        String stopOn = null;
        JsonNode stopNode = node.get("stop_on");
        if (stopNode != null && !stopNode.isNull()) {
            String value = stopNode.isTextual() ? stopNode.asText() : "";
            if (!List.of("reliable", "risky", "unknown").contains(value)) {
                problems.add(new ValidationProblem(
                        "literal_error",
                        loc("waterfall", "stop_on"),
                        "Input should be 'reliable', 'risky' or 'unknown'",
                        stopNode));
            } else {
                stopOn = value;
            }
        }
        return new WaterfallSpec(email, phone, verify, stopOn, prospect);
    }

    private List<String> providerList(
            JsonNode node, String field, Capability capability, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            problems.add(
                    new ValidationProblem("list_type", loc("waterfall", field), "Input should be a valid list", node));
            return null;
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode name = node.get(i);
            if (!name.isTextual() || !providers.supports(name.asText(), capability)) {
                problems.add(new ValidationProblem(
                        "value_error", loc("waterfall", field, i), "Unknown or disabled " + field + " provider", name));
            } else if (!names.contains(name.asText())) {
                names.add(name.asText());
            }
        }
        return names;
    }

    private static Integer integer(JsonNode node, String field, int min, int max, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < min || node.asInt() > max) {
            problems.add(new ValidationProblem(
                    "int_type", loc(field), "Input should be an integer from " + min + " to " + max, node));
            return null;
        }
        return node.asInt();
    }

    private static BigDecimal maxCredits(JsonNode node, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()
                || !Double.isFinite(node.asDouble())
                || node.decimalValue().signum() < 0
                || node.decimalValue().compareTo(BigDecimal.valueOf(1_000_000_000L)) > 0) {
            problems.add(new ValidationProblem(
                    "value_error", loc("max_credits"), "Input should be a non-negative number", node));
            return null;
        }
        // Credits are kept in cents; a cap is never rounded up.
        return node.decimalValue().setScale(2, java.math.RoundingMode.DOWN);
    }

    private static boolean bool(JsonNode node, String field, List<ValidationProblem> problems) {
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            problems.add(new ValidationProblem("bool_type", loc(field), "Input should be a valid boolean", node));
            return false;
        }
        return node.asBoolean();
    }

    private Contact contact(JsonNode node, int index, EnrichmentType type, List<ValidationProblem> problems) {
        if (node == null || !node.isObject()) {
            problems.add(new ValidationProblem(
                    "dict_type", loc("contacts", index), "Input should be a valid dictionary", node));
            return null;
        }
        int before = problems.size();
        Map<String, String> values = new LinkedHashMap<>();
        for (String field : CONTACT_FIELDS) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                continue;
            }
            if (!value.isTextual()) {
                problems.add(new ValidationProblem(
                        "string_type", loc("contacts", index, field), "Input should be a valid string", value));
                continue;
            }
            String text = value.asText().trim();
            if (text.isEmpty()) {
                continue;
            }
            int max = field.equals("linkedin_url") ? MAX_URL : MAX_NAME;
            if (text.length() > max) {
                problems.add(new ValidationProblem(
                        "string_too_long",
                        loc("contacts", index, field),
                        "String should have at most " + max + " characters",
                        value));
            } else if (Text.hasControl(text)) {
                problems.add(new ValidationProblem(
                        "value_error",
                        loc("contacts", index, field),
                        "Value must not contain control characters",
                        value));
            } else {
                values.put(field, text);
            }
        }
        String linkedin = values.get("linkedin_url");
        if (linkedin != null && !isLinkedInProfile(linkedin)) {
            problems.add(new ValidationProblem(
                    "value_error",
                    loc("contacts", index, "linkedin_url"),
                    "linkedin_url must be an http(s) URL of a linkedin.com profile (/in/…)",
                    node.get("linkedin_url")));
            linkedin = null;
        }
        String domain = values.get("company_domain");
        if (domain != null) {
            String host = normaliseDomain(domain);
            if (host == null) {
                problems.add(new ValidationProblem(
                        "value_error",
                        loc("contacts", index, "company_domain"),
                        "company_domain must be a hostname such as acme.com",
                        node.get("company_domain")));
            }
            domain = host;
        }
        if (problems.size() > before) {
            return null;
        }
        Contact contact = new Contact(
                linkedin, values.get("first_name"), values.get("last_name"), domain, values.get("company_name"));
        boolean company = contact.companyDomain() != null || contact.companyName() != null;
        if (type == EnrichmentType.PROSPECTING_ONLY) {
            if (!company) {
                problems.add(new ValidationProblem(
                        "value_error",
                        loc("contacts", index),
                        "A prospecting contact needs company_domain or company_name",
                        node));
            }
        } else if (contact.linkedinUrl() == null
                && (contact.firstName() == null || contact.lastName() == null || !company)) {
            problems.add(new ValidationProblem(
                    "value_error",
                    loc("contacts", index),
                    "Each contact needs linkedin_url, or first_name + last_name + (company_domain or company_name)",
                    node));
        }
        return contact;
    }

    static boolean isLinkedInProfile(String url) {
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            String path = uri.getPath() == null ? "" : uri.getPath();
            return (scheme.equals("http") || scheme.equals("https"))
                    && (host.equals("linkedin.com") || host.endsWith(".linkedin.com"))
                    && path.startsWith("/in/")
                    && path.length() > 4
                    && !path.substring(4).startsWith("/");
        } catch (Exception e) {
            return false;
        }
    }

    /** A hostname from a domain or URL: lower-cased, `www.` dropped; null when it is not a hostname. */
    static String normaliseDomain(String value) {
        String host = value.trim().toLowerCase(Locale.ROOT);
        if (host.contains("://")) {
            try {
                host = new URI(host).getHost();
            } catch (Exception e) {
                return null;
            }
            if (host == null) {
                return null;
            }
        } else {
            int cut = hostEnd(host);
            if (cut >= 0) {
                host = host.substring(0, cut);
            }
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.startsWith("www.")) {
            host = host.substring(4);
        }
        if (host.length() > 253) {
            return null;
        }
        // Label by label in place (no split): it runs for every contact of every submit.
        int start = 0;
        int labels = 0;
        while (true) {
            int dot = host.indexOf('.', start);
            int end = dot < 0 ? host.length() : dot;
            if (!hostLabel(host, start, end)) {
                return null;
            }
            labels++;
            if (dot < 0) {
                return labels < 2 || allDigits(host, start, end) ? null : host;
            }
            start = dot + 1;
        }
    }

    /**
     * A DNS label of a hostname: 1 to 63 of {@code a-z 0-9 -}, neither first nor last a hyphen (the value is lowercased
     * already). A loop rather than a regular expression: it runs for every contact of every submit.
     */
    static boolean hostLabel(String label) {
        return hostLabel(label, 0, label.length());
    }

    /** {@link #hostLabel(String)} of {@code value}'s characters from {@code start} to {@code end} (exclusive). */
    private static boolean hostLabel(String value, int start, int end) {
        int length = end - start;
        if (length == 0 || length > 63 || value.charAt(start) == '-' || value.charAt(end - 1) == '-') {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = value.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean allDigits(String value, int start, int end) {
        for (int i = start; i < end; i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Where the host of a domain written without a scheme ends: its first `/`, `?`, `#` or `:`; -1 if none. */
    private static int hostEnd(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '/' || c == '?' || c == '#' || c == ':') {
                return i;
            }
        }
        return -1;
    }
}
