package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {

    @Test
    void storableDropsNulAndLoneSurrogatesAndKeepsPairs() {
        assertThat(Text.storable("a\u0000b")).isEqualTo("ab");
        assertThat(Text.storable("\ud800x\udc00")).isEqualTo("x");
        assertThat(Text.storable("end\ud83d")).isEqualTo("end");
        assertThat(Text.storable("\udc00\ud800")).isEmpty();
        assertThat(Text.storable("smile \ud83d\ude00 ok")).isEqualTo("smile \ud83d\ude00 ok");
        assertThat(Text.storable("\u0000\ud83d\ude00\u0000")).isEqualTo("\ud83d\ude00");
        assertThat(Text.storable(null)).isNull();
    }

    @Test
    void storableReturnsCleanTextItself() {
        String clean = "Ada Lovelace \u00e9\ud83d\ude00 \t";
        assertThat(Text.storable(clean)).isSameAs(clean);
    }
}
