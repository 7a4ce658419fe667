package dev.cascade.aggregation;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The CSV form of a result item (§5.3) for the results export: a fixed column list (docs/api.md, "Results export"),
 * RFC 4180 quoting with CRLF row ends, list values joined with {@code ;}, and spreadsheet formula injection
 * neutralised.
 */
final class ResultCsv {
    static final String ROW_END = "\r\n";
    static final String LIST_SEPARATOR = ";";

    /** A cell starting with one of these is a formula to a spreadsheet, so it gets a leading {@code '}. */
    private static final String FORMULA_STARTS = "=+-@\t\r";
    /** Only E.164 numbers (our own normalised phones): digits can form no formula, so they are left as they are. */
    private static final Pattern PHONES_ONLY = Pattern.compile("\\+[0-9]{1,15}(;\\+[0-9]{1,15})*");

    private record Column(String name, Function<JsonNode, String> value) {}

    private static final List<Column> COLUMNS = List.of(
            new Column("task_id", item -> text(item.get("task_id"))),
            new Column("status", item -> text(item.get("status"))),
            new Column("primary_email", item -> text(item.get("primary_email"))),
            new Column("primary_email_status", item -> text(item.get("primary_email_status"))),
            new Column("other_emails", item -> joined(item.get("other_emails"))),
            new Column("personal_phone_numbers", item -> joined(item.get("personal_phone_numbers"))),
            new Column("phone_line_types", item -> perPhone(item, "line_type")),
            new Column("phone_sources", item -> perPhone(item, "source")),
            new Column("prospect_first_name", item -> text(item.path("prospect").get("first_name"))),
            new Column("prospect_last_name", item -> text(item.path("prospect").get("last_name"))),
            new Column("prospect_full_name", item -> text(item.path("prospect").get("full_name"))),
            new Column("prospect_title", item -> text(item.path("prospect").get("title"))),
            new Column(
                    "prospect_linkedin_url", item -> text(item.path("prospect").get("linkedin_url"))),
            new Column("prospect_location", item -> text(item.path("prospect").get("location"))),
            new Column("company_name", item -> text(item.path("company").get("name"))),
            new Column("company_domain", item -> text(item.path("company").get("domain"))),
            new Column("company_industry", item -> text(item.path("company").get("industry"))),
            new Column(
                    "company_employee_count", item -> text(item.path("company").get("employee_count"))),
            new Column("source_email", item -> text(item.path("source").get("email"))),
            new Column("source_phone", item -> text(item.path("source").get("phone"))),
            new Column("source_prospect", item -> text(item.path("source").get("prospect"))),
            new Column("skipped_reason", item -> text(item.get("skipped_reason"))),
            new Column("error", item -> text(item.get("error"))));

    private static final String CUSTOM = "custom";

    private ResultCsv() {}

    /** The header row, with its row end. */
    static String header() {
        StringBuilder row = new StringBuilder();
        for (Column column : COLUMNS) {
            row.append(column.name()).append(',');
        }
        return row.append(CUSTOM).append(ROW_END).toString();
    }

    /** Appends the item as one row, with its row end. */
    static void appendRow(StringBuilder out, JsonNode item, ObjectMapper mapper) {
        for (Column column : COLUMNS) {
            out.append(cell(column.value().apply(item))).append(',');
        }
        out.append(cell(custom(item.get(CUSTOM), mapper))).append(ROW_END);
    }

    /** One cell: formula-looking text neutralised, then quoted when it holds a quote, a comma or a line break. */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        String safe = FORMULA_STARTS.indexOf(value.charAt(0)) >= 0
                        && !PHONES_ONLY.matcher(value).matches()
                ? "'" + value
                : value;
        if (safe.indexOf('"') < 0 && safe.indexOf(',') < 0 && safe.indexOf('\n') < 0 && safe.indexOf('\r') < 0) {
            return safe;
        }
        return '"' + safe.replace("\"", "\"\"") + '"';
    }

    private static String text(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return node.isValueNode() ? node.asText() : node.toString();
    }

    private static String joined(JsonNode list) {
        if (list == null || !list.isArray()) {
            return text(list);
        }
        StringBuilder joined = new StringBuilder();
        for (JsonNode value : list) {
            if (!joined.isEmpty()) {
                joined.append(LIST_SEPARATOR);
            }
            joined.append(value.isValueNode() ? value.asText() : value.toString());
        }
        return joined.toString();
    }

    /** A detail of each number in `personal_phone_numbers`, in the same order, from its entry in `phones`. */
    private static String perPhone(JsonNode item, String field) {
        JsonNode numbers = item.get("personal_phone_numbers");
        if (numbers == null || !numbers.isArray() || numbers.isEmpty()) {
            return null;
        }
        StringBuilder joined = new StringBuilder();
        boolean first = true;
        for (JsonNode number : numbers) {
            if (!first) {
                joined.append(LIST_SEPARATOR);
            }
            first = false;
            for (JsonNode phone : item.path("phones")) {
                if (phone.path("number").asText().equals(number.asText())) {
                    joined.append(phone.path(field).asText(""));
                    break;
                }
            }
        }
        return joined.toString();
    }

    private static String custom(JsonNode custom, ObjectMapper mapper) {
        if (custom == null || custom.isNull()) {
            return null;
        }
        try {
            return mapper.writeValueAsString(custom);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("custom of a result item cannot be written", e);
        }
    }
}
