package dev.cascade.waterfall.providers.smtp;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The syntax check of an address before anything is sent: RFC 5321/5322 dot-atom local parts of at most 64 octets,
 * host names of LDH labels (IDNs converted to their ASCII form with IDNA), at most 254 octets in all. Deliberately
 * stricter than the RFCs where their corners only cause trouble: quoted local parts (`"a b"@x`), comments, IP-literal
 * domains (`x@[10.0.0.1]`, which would steer the probe to any address) and dotless domains are refused. Because
 * every character allowed is printable ASCII other than `<`, `>` and space, an address that passes can never inject
 * a command into the SMTP conversation.
 */
final class AddressSyntax {
    private static final Pattern ATOM = Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?");

    private AddressSyntax() {}

    /** An address that passed: its local part as written and its domain in lower-case ASCII. */
    record Address(String local, String domain, boolean internationalLocal) {
        String ascii() {
            return local + "@" + domain;
        }
    }

    /** The outcome of the check: the address, or why it is not one. */
    record Checked(Address address, String problem) {
        static Checked ok(Address address) {
            return new Checked(address, null);
        }

        static Checked bad(String problem) {
            return new Checked(null, problem);
        }

        boolean valid() {
            return address != null;
        }
    }

    static Checked check(String raw) {
        if (raw == null || raw.isBlank()) {
            return Checked.bad("empty address");
        }
        String email = raw.trim();
        int at = email.lastIndexOf('@');
        if (at <= 0 || at == email.length() - 1) {
            return Checked.bad("no local part or no domain");
        }
        String local = email.substring(0, at);
        String domainPart = email.substring(at + 1);
        if (local.startsWith("\"") || local.contains("@") || local.contains("(")) {
            return Checked.bad("quoted or commented local part not accepted");
        }
        if (domainPart.startsWith("[")) {
            return Checked.bad("IP-literal domain not accepted");
        }
        String problem = localProblem(local);
        if (problem != null) {
            return Checked.bad(problem);
        }
        String domain;
        try {
            domain = IDN.toASCII(domainPart, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException notIdna) {
            return Checked.bad("domain is not a valid host name");
        }
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        problem = domainProblem(domain);
        if (problem != null) {
            return Checked.bad(problem);
        }
        boolean international = !StandardCharsets.US_ASCII.newEncoder().canEncode(local);
        if (local.getBytes(StandardCharsets.UTF_8).length + 1 + domain.length() > 254) {
            return Checked.bad("address longer than 254 octets");
        }
        return Checked.ok(new Address(local, domain, international));
    }

    private static String localProblem(String local) {
        if (local.getBytes(StandardCharsets.UTF_8).length > 64) {
            return "local part longer than 64 octets";
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "misplaced dot in local part";
        }
        for (String atom : local.split("\\.")) {
            if (!ATOM.matcher(atom).matches() && !internationalAtom(atom)) {
                return "local part has a character not allowed";
            }
        }
        return null;
    }

    /** RFC 6531/6532 allow UTF-8 beyond ASCII in a local part; controls, spaces and specials stay forbidden. */
    private static boolean internationalAtom(String atom) {
        return atom.codePoints()
                .allMatch(c -> c > 127
                        ? Character.isLetterOrDigit(c)
                        : ATOM.matcher(Character.toString(c)).matches());
    }

    private static String domainProblem(String domain) {
        if (domain.length() > 253) {
            return "domain longer than 253 octets";
        }
        String[] labels = domain.split("\\.", -1);
        if (labels.length < 2) {
            return "domain has no dot";
        }
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63 || !LABEL.matcher(label).matches()) {
                return "domain is not a valid host name";
            }
        }
        if (labels[labels.length - 1].chars().allMatch(Character::isDigit)) {
            return "domain ends in a numeric label";
        }
        return null;
    }
}
