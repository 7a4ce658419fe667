package dev.cascade.cli;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A CSV of contacts read for `cascade enrich`: its header mapped to the contract's contact fields (by name, by a
 * known alias, or by `--column`), every row checked the way the gateway checks it, with the line each problem is on.
 */
final class ContactFile {
    static final List<String> FIELDS =
            List.of("linkedin_url", "first_name", "last_name", "company_domain", "company_name");

    private static final Map<String, String> ALIASES = aliases();
    private static final Pattern LINKEDIN =
            Pattern.compile("(?i)https?://([a-z0-9-]+\\.)*linkedin\\.com(:[0-9]+)?/in/[^\\s]+");

    /** A row that will be submitted: its line, its cells as read, and the contact it becomes. */
    record Row(int line, List<String> cells, Map<String, String> contact) {}

    /** A problem of the file, with the line it is on (0 for the file as a whole). */
    record Problem(int line, String message) {
        @Override
        public String toString() {
            return line > 0 ? "line " + line + ": " + message : message;
        }
    }

    final List<String> header;
    final List<Row> rows = new ArrayList<>();
    final List<Problem> invalid = new ArrayList<>();
    final List<String> unknownColumns = new ArrayList<>();
    int blankLines;

    private ContactFile(List<String> header) {
        this.header = header;
    }

    /** Reads the file's bytes; a bad encoding, no header or a bad header mapping fails with exit code 3. */
    static ContactFile read(byte[] bytes, Map<String, String> explicit, boolean prospecting) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new Exit.Failure(Exit.BAD_INPUT, "the file is not UTF-8 text");
        }
        List<Csv.Record> records = Csv.parse(text);
        int first = 0;
        while (first < records.size() && records.get(first).blank()) {
            first++;
        }
        if (first == records.size()) {
            throw new Exit.Failure(Exit.BAD_INPUT, "the file is empty: a header row is required");
        }
        Csv.Record headerRecord = records.get(first);
        List<String> header = headerRecord.fields().stream().map(String::trim).toList();
        String[] mapping = new String[header.size()];
        Map<String, String> byField = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (int i = 0; i < header.size(); i++) {
            String name = header.get(i);
            String field = explicit.containsKey(name) ? explicit.get(name) : ALIASES.get(normalise(name));
            if (field == null) {
                unknown.add(name.isEmpty() ? "(column " + (i + 1) + " has no name)" : name);
                continue;
            }
            String earlier = byField.putIfAbsent(field, name);
            if (earlier != null) {
                throw new Exit.Failure(
                        Exit.BAD_INPUT,
                        "line " + headerRecord.line() + ": columns \"" + earlier + "\" and \"" + name
                                + "\" both map to " + field + "; name one of them with --column");
            }
            mapping[i] = field;
        }
        if (byField.isEmpty()) {
            throw new Exit.Failure(
                    Exit.BAD_INPUT,
                    "line " + headerRecord.line() + ": no column maps to a contact field (" + String.join(", ", FIELDS)
                            + "); the header must be the first row");
        }
        int blank = 0;
        ContactFile file = new ContactFile(header);
        file.unknownColumns.addAll(unknown);
        for (int r = first + 1; r < records.size(); r++) {
            Csv.Record record = records.get(r);
            if (record.blank()) {
                blank++;
                continue;
            }
            if (record.fields().size() != header.size()) {
                file.invalid.add(new Problem(
                        record.line(), "has " + record.fields().size() + " fields, the header has " + header.size()));
                continue;
            }
            Map<String, String> contact = new LinkedHashMap<>();
            for (int i = 0; i < mapping.length; i++) {
                String value = record.fields().get(i).trim();
                if (mapping[i] != null && !value.isEmpty()) {
                    contact.put(mapping[i], value);
                }
            }
            String problem = check(contact, prospecting);
            if (problem != null) {
                file.invalid.add(new Problem(record.line(), problem));
            } else {
                file.rows.add(new Row(record.line(), record.fields(), contact));
            }
        }
        file.blankLines = blank;
        return file;
    }

    /** What is wrong with a contact by the contract's rules (§2.1), or null. */
    static String check(Map<String, String> c, boolean prospecting) {
        String linkedin = c.get("linkedin_url");
        if (linkedin != null && !LINKEDIN.matcher(linkedin).matches()) {
            return "linkedin_url \"" + shorten(linkedin) + "\" is not a linkedin.com/in/ profile URL";
        }
        if (prospecting) {
            return c.containsKey("company_domain") || c.containsKey("company_name")
                    ? null
                    : "needs company_domain or company_name (prospecting_only names a company)";
        }
        if (linkedin != null) {
            return null;
        }
        boolean names = c.containsKey("first_name") && c.containsKey("last_name");
        boolean company = c.containsKey("company_domain") || c.containsKey("company_name");
        if (names && company) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        for (String f : List.of("first_name", "last_name")) {
            if (!c.containsKey(f)) {
                missing.add(f);
            }
        }
        if (!company) {
            missing.add("company_domain or company_name");
        }
        return "needs linkedin_url, or first_name + last_name + (company_domain or company_name); missing "
                + String.join(", ", missing);
    }

    /** `--column` values: `Header=field`, the field one of the contract's. */
    static Map<String, String> explicitColumns(List<String> specs) {
        Map<String, String> explicit = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            String field = eq < 0 ? "" : spec.substring(eq + 1).trim();
            if (eq <= 0 || !FIELDS.contains(field)) {
                throw new Exit.Failure(
                        Exit.USAGE,
                        "--column takes HEADER=FIELD with FIELD one of " + String.join(", ", FIELDS) + ": " + spec);
            }
            explicit.put(spec.substring(0, eq).trim(), field);
        }
        return explicit;
    }

    static String normalise(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    }

    private static String shorten(String value) {
        return value.length() > 60 ? value.substring(0, 57) + "..." : value;
    }

    private static Map<String, String> aliases() {
        Map<String, String> a = new LinkedHashMap<>();
        for (String n : List.of(
                "linkedin_url", "linkedin", "linkedin_profile", "linkedin_profile_url", "profile_url", "li_url")) {
            a.put(n, "linkedin_url");
        }
        for (String n : List.of("first_name", "firstname", "first", "given_name")) {
            a.put(n, "first_name");
        }
        for (String n : List.of("last_name", "lastname", "last", "surname", "family_name")) {
            a.put(n, "last_name");
        }
        for (String n : List.of("company_domain", "domain", "website", "company_website", "email_domain")) {
            a.put(n, "company_domain");
        }
        for (String n : List.of("company_name", "company", "organization", "organisation", "account_name")) {
            a.put(n, "company_name");
        }
        return a;
    }
}
