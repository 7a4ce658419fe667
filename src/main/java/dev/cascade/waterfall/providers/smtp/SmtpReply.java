package dev.cascade.waterfall.providers.smtp;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMTP reply (RFC 5321 §4.2): its three-digit code, its enhanced status code when the server sends one (RFC
 * 3463, `5.1.1`), and its lines without the code.
 */
record SmtpReply(int code, String enhanced, List<String> lines) {
    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})(?:\\s|$)");

    static SmtpReply of(int code, List<String> lines) {
        String enhanced = null;
        if (!lines.isEmpty()) {
            Matcher matcher = ENHANCED.matcher(lines.get(0));
            if (matcher.find()) {
                enhanced = matcher.group(1);
            }
        }
        return new SmtpReply(code, enhanced, List.copyOf(lines));
    }

    boolean positive() {
        return code / 100 == 2;
    }

    boolean transientNegative() {
        return code / 100 == 4;
    }

    boolean permanentNegative() {
        return code / 100 == 5;
    }

    /** The class and subject of the enhanced code (`5.1`), or empty. */
    String enhancedSubject() {
        return enhanced == null ? "" : enhanced.substring(0, enhanced.indexOf('.', 2));
    }

    /** Whether an EHLO reply lists the extension (its lines after the first: `250-STARTTLS`). */
    boolean offers(String extension) {
        for (int i = 1; i < lines.size(); i++) {
            String keyword = lines.get(i).trim().split("\\s+", 2)[0].toUpperCase(Locale.ROOT);
            if (keyword.equals(extension)) {
                return true;
            }
        }
        return false;
    }

    /** `550 5.1.1`, as the trace shows it (never the server's free text, which can be long or carry addresses). */
    String summary() {
        return enhanced == null ? Integer.toString(code) : code + " " + enhanced;
    }
}
