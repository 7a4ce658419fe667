package dev.cascade.support;

/** Checks on client-supplied text, and the cleaning of text from elsewhere. */
public final class Text {
    private Text() {}

    /**
     * True when the text holds a control character (including NUL, which PostgreSQL cannot store) or a Unicode line
     * or paragraph separator: such text is refused rather than stored.
     */
    public static boolean hasControl(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                return true;
            }
        }
        return false;
    }

    /**
     * The text without what PostgreSQL refuses to store: NUL (refused in `text`, and as the `\u0000` escape in
     * `jsonb`) and lone surrogates (no UTF-8 form; refused as escapes in `jsonb`, silently turned into `?` on the
     * wire otherwise). Text we cannot refuse (a vendor's answer) is cleaned with it rather than refused; null stays
     * null, and clean text is returned as it is, without a copy.
     */
    public static String storable(String value) {
        if (value == null) {
            return null;
        }
        int first = firstUnstorable(value);
        if (first < 0) {
            return value;
        }
        StringBuilder clean = new StringBuilder(value.length());
        clean.append(value, 0, first);
        for (int i = first; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000') {
                continue;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    clean.append(c).append(value.charAt(++i));
                }
                continue;
            }
            if (Character.isLowSurrogate(c)) {
                continue;
            }
            clean.append(c);
        }
        return clean.toString();
    }

    /** Where the first NUL or lone surrogate is, or -1. */
    private static int firstUnstorable(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\u0000' || Character.isLowSurrogate(c)) {
                return i;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }
}
