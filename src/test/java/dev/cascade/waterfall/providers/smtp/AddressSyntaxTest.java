package dev.cascade.waterfall.providers.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AddressSyntaxTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "ada@acme.com",
                "ada.lovelace+news@acme.co.uk",
                "o'brien@acme.com",
                "x_y-z{1}@sub.acme.com",
                "ADA@ACME.COM",
                "ada@acme.com."
            })
    void acceptsDotAtomAddresses(String email) {
        assertThat(AddressSyntax.check(email).valid()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|empty address",
                "adaacme.com|no local part or no domain",
                "@acme.com|no local part or no domain",
                "\"ada lovelace\"@acme.com|quoted or commented local part not accepted",
                "ada(comment)@acme.com|quoted or commented local part not accepted",
                ".ada@acme.com|misplaced dot in local part",
                "ada.@acme.com|misplaced dot in local part",
                "a<b@acme.com|local part has a character not allowed",
                "a b@acme.com|local part has a character not allowed",
                "ada@[127.0.0.1]|IP-literal domain not accepted",
                "ada@localhost|domain has no dot",
                "ada@acme..com|domain is not a valid host name",
                "ada@-acme.com|domain is not a valid host name",
                "ada@acme_x.com|domain is not a valid host name",
                "ada@10.0.0.1|domain ends in a numeric label",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@acme.com|local part longer than 64 octets"
            })
    void refusesWithAClearReason(String email, String problem) {
        AddressSyntax.Checked checked = AddressSyntax.check(email);

        assertThat(checked.valid()).isFalse();
        assertThat(checked.problem()).isEqualTo(problem);
    }

    @ParameterizedTest
    @CsvSource({"ada@bücher.de,xn--bcher-kva.de", "ada@MÜNCHEN.de,xn--mnchen-3ya.de", "ada@Acme.COM,acme.com"})
    void internationalDomainsAreConvertedToTheirAsciiForm(String email, String domain) {
        assertThat(AddressSyntax.check(email).address().domain()).isEqualTo(domain);
    }

    @ParameterizedTest
    @ValueSource(strings = {"josé@acme.com", "用户@acme.com"})
    void internationalLocalPartsAreRecognised(String email) {
        AddressSyntax.Checked checked = AddressSyntax.check(email);

        assertThat(checked.valid()).isTrue();
        assertThat(checked.address().internationalLocal()).isTrue();
    }
}
