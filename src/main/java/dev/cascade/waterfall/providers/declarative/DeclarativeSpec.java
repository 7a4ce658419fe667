package dev.cascade.waterfall.providers.declarative;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpMethod;

import dev.cascade.config.CascadeConfig.ProviderSettings;
import dev.cascade.config.CascadeConfig.ProviderSettings.Declarative;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;

/**
 * A declarative provider's `http.*` settings, checked once at start: every mistake an operator can make in them (a
 * relative URL, an unknown capability, field or placeholder, a pointer that is not one, a status that is not a gateway
 * status, a body that is not JSON) stops the start with a message naming the key, rather than failing every lookup.
 */
record DeclarativeSpec(
        Set<Capability> capabilities,
        HttpMethod method,
        Template url,
        Template body,
        Map<String, Template> headers,
        Set<Integer> missStatuses,
        Map<String, JsonPointer> pointers,
        Map<String, EmailStatus> statusValues) {

    // The `http.map.*` fields (see CascadeConfig.ProviderSettings.Declarative#map).
    static final String EMAIL = "email";
    static final String EMAIL_STATUS = "email-status";
    static final String EMAILS = "emails";
    static final String PHONE = "phone";
    static final String PHONES = "phones";
    static final String PHONE_TYPE = "phone-type";
    static final String VERDICT = "verdict";
    static final String FIRST_NAME = "first-name";
    static final String LAST_NAME = "last-name";
    static final String FULL_NAME = "full-name";
    static final String TITLE = "title";
    static final String LINKEDIN_URL = "linkedin-url";
    static final String LOCATION = "location";
    static final String COMPANY_NAME = "company-name";
    static final String COMPANY_DOMAIN = "company-domain";
    static final String PROSPECTS = "prospects";

    static final Set<String> FIELDS = Set.of(
            EMAIL,
            EMAIL_STATUS,
            EMAILS,
            PHONE,
            PHONES,
            PHONE_TYPE,
            VERDICT,
            FIRST_NAME,
            LAST_NAME,
            FULL_NAME,
            TITLE,
            LINKEDIN_URL,
            LOCATION,
            COMPANY_NAME,
            COMPANY_DOMAIN,
            PROSPECTS);

    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "PATCH");

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Stand-in values for checking templates at start; `1` also fits an unquoted `{max_prospects}`. */
    private static final Function<Placeholder, String> SAMPLE = p -> p == Placeholder.MAX_PROSPECTS ? "1" : "x";

    /** The spec of provider {@code name}; throws {@link IllegalArgumentException} naming the first bad key. */
    static DeclarativeSpec parse(String name, ProviderSettings settings) {
        String prefix = "cascade.providers." + name + ".";
        String http = prefix + "http.";
        if (settings.baseUrl().isPresent()) {
            // Ignoring it silently would send the calls somewhere the operator did not expect.
            throw new IllegalArgumentException(
                    prefix + "base-url is not used by type http; put the whole URL in " + http + "url");
        }
        Declarative spec = settings.http();
        Set<Capability> capabilities = capabilities(http + "capabilities", spec);
        HttpMethod method = method(http + "method", spec.method());
        Template url = url(http + "url", spec);
        Template body = spec.body()
                .filter(text -> !text.isBlank())
                .map(text -> body(http + "body", text))
                .orElse(null);
        Map<String, Template> headers = new LinkedHashMap<>();
        spec.headers().forEach((header, value) -> {
            if (header.isBlank()) {
                throw new IllegalArgumentException(http + "headers has a header without a name");
            }
            headers.put(header, Template.parse(http + "headers." + header, value));
        });
        Set<Integer> missStatuses = new TreeSet<>();
        for (Integer status : spec.missStatuses()) {
            if (status == null || status < 100 || status > 599) {
                throw new IllegalArgumentException(http + "miss-statuses: " + status + " is not an HTTP status");
            }
            missStatuses.add(status);
        }
        Map<String, JsonPointer> pointers = pointers(http + "map.", spec.map());
        Map<String, EmailStatus> statusValues = statusValues(http + "status-values.", spec.statusValues());
        requireMappings(http + "map.", capabilities, pointers);
        return new DeclarativeSpec(
                Set.copyOf(capabilities),
                method,
                url,
                body,
                Map.copyOf(headers),
                Set.copyOf(missStatuses),
                Map.copyOf(pointers),
                Map.copyOf(statusValues));
    }

    /** Whether any template sends the API key (then the provider cannot be called without one). */
    boolean needsKey() {
        return url.uses(Placeholder.API_KEY)
                || (body != null && body.uses(Placeholder.API_KEY))
                || headers.values().stream().anyMatch(t -> t.uses(Placeholder.API_KEY));
    }

    private static Set<Capability> capabilities(String key, Declarative spec) {
        List<String> listed = spec.capabilities().orElse(List.of());
        Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        for (String value : listed) {
            String wire = value.trim().toLowerCase(Locale.ROOT);
            if (wire.isEmpty()) {
                continue;
            }
            Capability capability = null;
            for (Capability candidate : Capability.values()) {
                if (candidate.wire().equals(wire)) {
                    capability = candidate;
                }
            }
            if (capability == null) {
                throw new IllegalArgumentException(
                        key + ": unknown capability '" + value.trim() + "' (known: email, phone, verify, prospect)");
            }
            capabilities.add(capability);
        }
        if (capabilities.isEmpty()) {
            throw new IllegalArgumentException(key + " is required: any of email, phone, verify, prospect");
        }
        return capabilities;
    }

    private static HttpMethod method(String key, String value) {
        String method = value.trim().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not one of " + String.join(", ", METHODS));
        }
        return HttpMethod.valueOf(method);
    }

    private static Template url(String key, Declarative spec) {
        String text = spec.url().map(String::trim).filter(u -> !u.isEmpty()).orElse(null);
        if (text == null) {
            throw new IllegalArgumentException(key + " is required (the vendor's absolute http(s) URL)");
        }
        Template url = Template.parse(key, text);
        try {
            URI uri = new URI(url.render(SAMPLE, Template.Escaping.URL));
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException(key + " must be an absolute http(s) URL, got: " + text);
            }
        } catch (URISyntaxException bad) {
            throw new IllegalArgumentException(key + " is not a valid URL: " + text, bad);
        }
        return url;
    }

    private static Template body(String key, String text) {
        Template body = Template.parse(key, text);
        try {
            JSON.readTree(body.render(SAMPLE, Template.Escaping.JSON));
        } catch (JsonProcessingException notJson) {
            throw new IllegalArgumentException(
                    key + " is not JSON once its placeholders are filled (string placeholders go inside quotes,"
                            + " \"{first_name}\"): " + notJson.getOriginalMessage(),
                    notJson);
        }
        return body;
    }

    private static Map<String, JsonPointer> pointers(String prefix, Map<String, String> map) {
        Map<String, JsonPointer> pointers = new LinkedHashMap<>();
        map.forEach((field, pointer) -> {
            String key = field.trim().toLowerCase(Locale.ROOT);
            if (!FIELDS.contains(key)) {
                throw new IllegalArgumentException(prefix + field + " is not a known field (known: "
                        + String.join(", ", new TreeSet<>(FIELDS)) + ")");
            }
            try {
                pointers.put(key, JsonPointer.compile(pointer.trim()));
            } catch (IllegalArgumentException notAPointer) {
                throw new IllegalArgumentException(
                        prefix + field + ": '" + pointer + "' is not a JSON pointer (e.g. /data/email)", notAPointer);
            }
        });
        return pointers;
    }

    private static Map<String, EmailStatus> statusValues(String prefix, Map<String, String> values) {
        Map<String, EmailStatus> statuses = new LinkedHashMap<>();
        values.forEach((vendorValue, status) -> {
            EmailStatus mapped;
            try {
                mapped = EmailStatus.valueOf(status.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException unknown) {
                throw new IllegalArgumentException(
                        prefix + vendorValue + ": '" + status + "' is not one of reliable, risky, unknown, invalid",
                        unknown);
            }
            statuses.put(normalise(vendorValue), mapped);
        });
        return statuses;
    }

    private static void requireMappings(String prefix, Set<Capability> capabilities, Map<String, JsonPointer> map) {
        for (Capability capability : capabilities) {
            List<String> any = switch (capability) {
                case EMAIL -> List.of(EMAIL, EMAILS);
                case PHONE -> List.of(PHONE, PHONES);
                case VERIFY -> List.of(VERDICT);
                case PROSPECT -> List.of(PROSPECTS);
            };
            if (any.stream().noneMatch(map::containsKey)) {
                throw new IllegalArgumentException(prefix + String.join(" or " + prefix, any)
                        + " is required for capability " + capability.wire());
            }
        }
    }

    /** Vendor status values compare without case and surrounding blanks. */
    static String normalise(String vendorValue) {
        return vendorValue.trim().toLowerCase(Locale.ROOT);
    }
}
