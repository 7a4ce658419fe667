package dev.cascade.support;

/** Checks on client-supplied text. */
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
}
