package dev.cascade.intake;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BulkRequestParserTest {

    @Test
    void reducesCompanyDomainsToLowerCaseHostnamesWithoutWww() {
        assertThat(BulkRequestParser.normaliseDomain("acme.com")).isEqualTo("acme.com");
        assertThat(BulkRequestParser.normaliseDomain("https://www.Acme.com/about?x=1"))
                .isEqualTo("acme.com");
        assertThat(BulkRequestParser.normaliseDomain("WWW.Globex.CO.UK/")).isEqualTo("globex.co.uk");
        assertThat(BulkRequestParser.normaliseDomain("sub.acme.io:8443")).isEqualTo("sub.acme.io");
        assertThat(BulkRequestParser.normaliseDomain("xn--bcher-kva.example")).isEqualTo("xn--bcher-kva.example");
    }

    @Test
    void normalisesExactlyAsTheFormerSplitAndScanDid() {
        // The label scan replaced indexOf per character and a split: every input must still get the same answer.
        String[] pieces = {
            "a",
            "z",
            "Q",
            "0",
            "9",
            "-",
            ".",
            "..",
            "/",
            "?",
            "#",
            ":",
            " ",
            "_",
            "é",
            "www.",
            "WWW.",
            "://",
            "http",
            "https://",
            "acme",
            "co",
            "com",
            "123",
            "xn--",
            "a".repeat(62),
            "b".repeat(64)
        };
        java.util.Random random = new java.util.Random(20261205L);
        for (int i = 0; i < 200_000; i++) {
            StringBuilder value = new StringBuilder();
            int parts = random.nextInt(12);
            for (int p = 0; p < parts; p++) {
                value.append(pieces[random.nextInt(pieces.length)]);
            }
            if (random.nextInt(50) == 0) {
                value.append(("label" + i + ".").repeat(1 + random.nextInt(30))).append("com");
            }
            String input = value.toString();
            assertThat(BulkRequestParser.normaliseDomain(input)).as(input).isEqualTo(formerNormaliseDomain(input));
        }
    }

    /** What normaliseDomain did before the label scan (split on dots, indexOf per character). */
    private static String formerNormaliseDomain(String value) {
        String host = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (host.contains("://")) {
            try {
                host = new java.net.URI(host).getHost();
            } catch (Exception e) {
                return null;
            }
            if (host == null) {
                return null;
            }
        } else {
            for (int i = 0; i < host.length(); i++) {
                if ("/?#:".indexOf(host.charAt(i)) >= 0) {
                    host = host.substring(0, i);
                    break;
                }
            }
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.startsWith("www.")) {
            host = host.substring(4);
        }
        if (host.length() > 253) {
            return null;
        }
        String[] labels = host.split("\\.", -1);
        if (labels.length < 2) {
            return null;
        }
        for (String label : labels) {
            if (!BulkRequestParser.hostLabel(label)) {
                return null;
            }
        }
        return labels[labels.length - 1].chars().allMatch(c -> c >= '0' && c <= '9') ? null : host;
    }

    @Test
    void refusesWhatIsNotAHostname() {
        assertThat(BulkRequestParser.normaliseDomain("not a domain")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("localhost")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("-bad-.com")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("10.0.0.1")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("acme..com")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("https://")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("acme.com-")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("ac_me.com")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("acmé.com")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("acme.123")).isNull();
        assertThat(BulkRequestParser.normaliseDomain("a".repeat(64) + ".com")).isNull();
    }

    @Test
    void acceptsLabelsUpToSixtyThreeCharactersWithInnerHyphens() {
        assertThat(BulkRequestParser.normaliseDomain("a".repeat(63) + ".com")).isEqualTo("a".repeat(63) + ".com");
        assertThat(BulkRequestParser.normaliseDomain("a-b.c0m")).isEqualTo("a-b.c0m");
        assertThat(BulkRequestParser.normaliseDomain("x.co")).isEqualTo("x.co");
        assertThat(BulkRequestParser.normaliseDomain("1.example")).isEqualTo("1.example");
    }

    @Test
    void acceptsOnlyLinkedInProfileUrls() {
        assertThat(BulkRequestParser.isLinkedInProfile("https://www.linkedin.com/in/janedoe"))
                .isTrue();
        assertThat(BulkRequestParser.isLinkedInProfile("http://linkedin.com/in/jane-doe-123/"))
                .isTrue();
        assertThat(BulkRequestParser.isLinkedInProfile("https://uk.linkedin.com/in/jane"))
                .isTrue();
        assertThat(BulkRequestParser.isLinkedInProfile("https://www.linkedin.com/company/acme"))
                .isFalse();
        assertThat(BulkRequestParser.isLinkedInProfile("https://evil-linkedin.com/in/jane"))
                .isFalse();
        assertThat(BulkRequestParser.isLinkedInProfile("https://linkedin.com.evil.io/in/jane"))
                .isFalse();
        assertThat(BulkRequestParser.isLinkedInProfile("ftp://linkedin.com/in/jane"))
                .isFalse();
        assertThat(BulkRequestParser.isLinkedInProfile("https://www.linkedin.com/in/"))
                .isFalse();
        assertThat(BulkRequestParser.isLinkedInProfile("linkedin.com/in/jane")).isFalse();
    }
}
