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
