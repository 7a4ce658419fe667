package dev.cascade.waterfall.providers.declarative;

import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.COMPANY_DOMAIN;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.COMPANY_NAME;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.EMAIL;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.EMAILS;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.EMAIL_STATUS;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.FIRST_NAME;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.FULL_NAME;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.LAST_NAME;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.LINKEDIN_URL;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.LOCATION;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.PHONE;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.PHONES;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.PHONE_TYPE;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.PROSPECTS;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.TITLE;
import static dev.cascade.waterfall.providers.declarative.DeclarativeSpec.VERDICT;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;

import dev.cascade.events.Company;
import dev.cascade.events.Prospect;
import dev.cascade.waterfall.providers.Capability;
import dev.cascade.waterfall.providers.EmailStatus;
import dev.cascade.waterfall.providers.ProviderContext;
import dev.cascade.waterfall.providers.ProviderData;
import dev.cascade.waterfall.providers.ProviderData.EmailCandidate;
import dev.cascade.waterfall.providers.ProviderData.PhoneCandidate;
import dev.cascade.waterfall.providers.ProviderOutcome;
import dev.cascade.waterfall.providers.ProviderOutcome.Failure;
import dev.cascade.waterfall.providers.ProviderQuery;
import dev.cascade.waterfall.providers.VendorProvider;
import dev.cascade.waterfall.providers.VendorResponse;

/**
 * A vendor described by its {@link DeclarativeSpec}: one HTTP exchange per lookup built from the templates, the
 * answer read through JSON pointers. A miss status, or a 2xx without the mapped field, is a miss; any other non-2xx
 * status has the shared meaning ({@link VendorResponse#unexpected()}).
 */
final class DeclarativeProvider extends VendorProvider {
    private final DeclarativeSpec spec;

    DeclarativeProvider(ProviderContext context, DeclarativeSpec spec) {
        super(context, DeclarativeProviderFactory.TYPE, spec.capabilities());
        this.spec = spec;
    }

    /** Not ready only when a template sends the API key and none is configured; a keyless vendor needs none. */
    @Override
    public Optional<String> notReady() {
        return spec.needsKey() && apiKey() == null ? Optional.of("no API key configured") : Optional.empty();
    }

    @Override
    public Uni<ProviderOutcome> lookup(Capability capability, ProviderQuery query) {
        if (!capabilities().contains(capability)) {
            return Uni.createFrom().item(Failure.rejected("unsupported capability " + capability.wire()));
        }
        Map<Placeholder, String> values = new LinkedHashMap<>();
        for (Placeholder placeholder : Placeholder.values()) {
            values.put(placeholder, placeholder.value(query, apiKey()));
        }
        HttpRequest<Buffer> request;
        String body;
        try {
            request = context.http().request(spec.method(), spec.url().render(values::get, Template.Escaping.URL));
            spec.headers()
                    .forEach((name, value) ->
                            request.putHeader(name, value.render(values::get, Template.Escaping.HEADER)));
            body = spec.body() == null ? null : spec.body().render(values::get, Template.Escaping.JSON);
        } catch (RuntimeException unusable) {
            // Values are escaped, so only the templates themselves can get here; never the key in the message.
            Log.warnf(
                    "Provider %s: request could not be built (%s)",
                    name(), unusable.getClass().getSimpleName());
            return Uni.createFrom().item(Failure.permanent("request could not be built"));
        }
        return context.http().send(request, context.timeout(), body, response -> map(capability, query, response));
    }

    ProviderOutcome map(Capability capability, ProviderQuery query, VendorResponse response)
            throws java.io.IOException {
        int status = response.status();
        if (spec.missStatuses().contains(status)) {
            return new ProviderOutcome.Miss();
        }
        if (status < 200 || status >= 300) {
            return response.unexpected();
        }
        JsonNode root = response.json();
        return switch (capability) {
            case EMAIL -> emails(root);
            case PHONE -> phones(root);
            case VERIFY -> new ProviderOutcome.Hit(ProviderData.verified(verdict(root)));
            case PROSPECT -> prospects(root, query.maxProspects());
        };
    }

    // ---- EMAIL ---------------------------------------------------------------------------------------------------

    /**
     * `email` (with `email-status`) and then the strings of `emails`. A status listed in `status-values` is the
     * vendor's own verdict (the candidate counts as verified); an unlisted or absent one leaves the candidate for the
     * gateway's verifier. `email-status` describes `email` only: the entries of `emails` carry no verdict.
     */
    private ProviderOutcome emails(JsonNode root) {
        Map<String, EmailCandidate> found = new LinkedHashMap<>();
        String email = text(at(root, EMAIL));
        if (looksLikeEmail(email)) {
            EmailStatus status = listedStatus(text(at(root, EMAIL_STATUS)));
            found.put(email.toLowerCase(Locale.ROOT), new EmailCandidate(email, status, status != null));
        }
        for (String other : texts(at(root, EMAILS))) {
            if (looksLikeEmail(other)) {
                found.putIfAbsent(other.toLowerCase(Locale.ROOT), new EmailCandidate(other, null, false));
            }
        }
        if (found.isEmpty()) {
            return new ProviderOutcome.Miss();
        }
        return new ProviderOutcome.Hit(ProviderData.emails(List.copyOf(found.values()), person(root), company(root)));
    }

    private static boolean looksLikeEmail(String value) {
        return value != null && value.indexOf('@') > 0 && value.indexOf('@') < value.length() - 1;
    }

    // ---- PHONE ---------------------------------------------------------------------------------------------------

    /** `phone` (typed by `phone-type`) and then the strings (or numbers) of `phones`, as the vendor wrote them. */
    private ProviderOutcome phones(JsonNode root) {
        Set<String> seen = new LinkedHashSet<>();
        List<PhoneCandidate> phones = new ArrayList<>();
        String phone = text(at(root, PHONE));
        if (phone != null && seen.add(phone)) {
            phones.add(new PhoneCandidate(phone, lineType(text(at(root, PHONE_TYPE)))));
        }
        for (String other : texts(at(root, PHONES))) {
            if (seen.add(other)) {
                phones.add(new PhoneCandidate(other, null));
            }
        }
        return phones.isEmpty()
                ? new ProviderOutcome.Miss()
                : new ProviderOutcome.Hit(ProviderData.phones(List.copyOf(phones)));
    }

    /** The vendor's line type as the waterfall's hint (`mobile`, `landline`, `voip`), or null when unclear. */
    static String lineType(String vendorType) {
        if (vendorType == null) {
            return null;
        }
        return switch (vendorType
                .trim()
                .toLowerCase(Locale.ROOT)
                .replace('-', '_')
                .replace(' ', '_')) {
            case "mobile", "mobile_phone", "cell", "cellular", "wireless" -> "mobile";
            case "landline", "land_line", "fixed", "fixed_line", "fixedline" -> "landline";
            case "voip" -> "voip";
            default -> null;
        };
    }

    // ---- VERIFY --------------------------------------------------------------------------------------------------

    /** A verifier's answer is always a verdict: a missing or unlisted value is `unknown`. */
    private EmailStatus verdict(JsonNode root) {
        EmailStatus status = listedStatus(text(at(root, VERDICT)));
        return status == null ? EmailStatus.UNKNOWN : status;
    }

    // ---- PROSPECT ------------------------------------------------------------------------------------------------

    /**
     * The elements of `prospects`, the person pointers read relative to each element; the company pointers read
     * from the whole answer. At most {@code maxProspects} (when positive).
     */
    private ProviderOutcome prospects(JsonNode root, int maxProspects) {
        JsonNode list = at(root, PROSPECTS);
        List<JsonNode> elements = new ArrayList<>();
        if (list.isArray()) {
            list.forEach(elements::add);
        } else if (list.isObject()) {
            elements.add(list);
        }
        List<Prospect> prospects = new ArrayList<>();
        for (JsonNode element : elements) {
            if (maxProspects > 0 && prospects.size() >= maxProspects) {
                break;
            }
            Prospect prospect = element.isObject() ? person(element) : null;
            if (prospect != null) {
                prospects.add(prospect);
            }
        }
        return prospects.isEmpty()
                ? new ProviderOutcome.Miss()
                : new ProviderOutcome.Hit(ProviderData.discovered(List.copyOf(prospects), company(root)));
    }

    // ---- shared ------------------------------------------------------------------------------------------------

    /** The person fields read from {@code node}; null when none is there. */
    private Prospect person(JsonNode node) {
        Function<String, String> field = name -> text(at(node, name));
        Prospect prospect = new Prospect(
                field.apply(FIRST_NAME),
                field.apply(LAST_NAME),
                field.apply(FULL_NAME),
                field.apply(TITLE),
                field.apply(LINKEDIN_URL),
                field.apply(LOCATION));
        boolean empty = prospect.firstName() == null
                && prospect.lastName() == null
                && prospect.fullName() == null
                && prospect.title() == null
                && prospect.linkedinUrl() == null
                && prospect.location() == null;
        return empty ? null : prospect;
    }

    private Company company(JsonNode root) {
        String name = text(at(root, COMPANY_NAME));
        String domain = text(at(root, COMPANY_DOMAIN));
        if (name == null && domain == null) {
            return null;
        }
        return new Company(name, domain == null ? null : domain.toLowerCase(Locale.ROOT), null, null);
    }

    /** A configured status value's gateway status, or null when the value is absent or not listed. */
    private EmailStatus listedStatus(String vendorValue) {
        return vendorValue == null ? null : spec.statusValues().get(DeclarativeSpec.normalise(vendorValue));
    }

    /** The node at the field's pointer, or a missing node when the field is not mapped. */
    private JsonNode at(JsonNode node, String field) {
        JsonPointer pointer = spec.pointers().get(field);
        return pointer == null ? MissingNode.getInstance() : node.at(pointer);
    }

    /** A scalar as trimmed text (numbers and booleans too); null for null, blank, objects and arrays. */
    private static String text(JsonNode node) {
        if (node == null || !node.isValueNode() || node.isNull()) {
            return null;
        }
        String text = node.asText().trim();
        return text.isEmpty() ? null : text;
    }

    /** The scalars of an array, or the one scalar a pointer found. */
    private static List<String> texts(JsonNode node) {
        List<String> texts = new ArrayList<>();
        if (node.isArray()) {
            for (JsonNode element : node) {
                String text = text(element);
                if (text != null) {
                    texts.add(text);
                }
            }
        } else {
            String text = text(node);
            if (text != null) {
                texts.add(text);
            }
        }
        return texts;
    }
}
