package dev.cascade.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV, read and written: quoted fields may hold commas, quotes (doubled) and line breaks; rows end with LF or
 * CRLF. Each record keeps the line of the file it starts on, so problems can name it.
 */
final class Csv {
    /** One record: the 1-based line it starts on and its fields. */
    record Record(int line, List<String> fields) {
        boolean blank() {
            return fields.stream().allMatch(f -> f.isBlank());
        }
    }

    private Csv() {}

    /** The records of the text (a leading byte-order mark is dropped); fails on a quote left open. */
    static List<Record> parse(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        List<Record> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int recordLine = 1;
        boolean quoted = false;
        boolean any = false;
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
                i++;
                continue;
            }
            if (c == '"' && field.isEmpty()) {
                quoted = true;
                any = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                    i++;
                }
                fields.add(field.toString());
                field.setLength(0);
                records.add(new Record(recordLine, List.copyOf(fields)));
                fields.clear();
                any = false;
                line++;
                recordLine = line;
            } else {
                field.append(c);
                any = true;
            }
            i++;
        }
        if (quoted) {
            throw new Exit.Failure(Exit.BAD_INPUT, "line " + recordLine + ": a quoted field is never closed");
        }
        if (any || !field.isEmpty() || !fields.isEmpty()) {
            fields.add(field.toString());
            records.add(new Record(recordLine, List.copyOf(fields)));
        }
        return records;
    }

    /** One cell, quoted when it holds a quote, a comma or a line break. */
    static String cell(String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        if (value.indexOf('"') >= 0
                || value.indexOf(',') >= 0
                || value.indexOf('\n') >= 0
                || value.indexOf('\r') >= 0) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    /** One row with its CRLF end. */
    static String row(List<String> cells) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(cell(cells.get(i)));
        }
        return out.append("\r\n").toString();
    }
}
