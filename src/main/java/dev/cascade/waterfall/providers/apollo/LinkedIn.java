package dev.cascade.waterfall.providers.apollo;

import java.util.Locale;

/** LinkedIn profile URLs in the one form results carry: {@code https://www.linkedin.com/in/<slug>}. */
final class LinkedIn {
    private static final String PROFILE = "linkedin.com/in/";

    private LinkedIn() {}

    /**
     * Apollo writes profiles as {@code http://www.linkedin.com/in/…}; a URL that is not a profile URL is returned as
     * given, and a blank one as null.
     */
    static String normalise(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String trimmed = url.trim();
        int at = trimmed.toLowerCase(Locale.ROOT).indexOf(PROFILE);
        if (at < 0) {
            return trimmed;
        }
        String slug = trimmed.substring(at + PROFILE.length());
        int end = firstOf(slug, '?', '#');
        if (end >= 0) {
            slug = slug.substring(0, end);
        }
        while (slug.endsWith("/")) {
            slug = slug.substring(0, slug.length() - 1);
        }
        return slug.isEmpty() ? null : "https://www.linkedin.com/in/" + slug;
    }

    private static int firstOf(String text, char a, char b) {
        int first = text.indexOf(a);
        int second = text.indexOf(b);
        if (first < 0) {
            return second;
        }
        return second < 0 ? first : Math.min(first, second);
    }
}
