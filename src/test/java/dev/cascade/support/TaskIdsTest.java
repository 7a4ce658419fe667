package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class TaskIdsTest {
    @Test
    void aSubmitsTaskIdsAreDistinctVersionFourUuidsSharingTheirFirstThirtyTwoBits() {
        List<UUID> ids = Ids.newTaskIds(250);

        assertThat(ids).hasSize(250).doesNotHaveDuplicates();
        for (UUID id : ids) {
            assertThat(id.version()).isEqualTo(4);
            assertThat(id.variant()).isEqualTo(2);
            assertThat(Ids.parseUuid(id.toString())).isEqualTo(id);
            assertThat(id.toString().substring(0, 8))
                    .isEqualTo(ids.get(0).toString().substring(0, 8));
        }
        // Past the shared prefix the ids are random, not a counter.
        Set<String> tails = new HashSet<>();
        ids.forEach(id -> tails.add(id.toString().substring(9, 13)));
        assertThat(tails.size()).isGreaterThan(200);
        Set<String> nodes = new HashSet<>();
        ids.forEach(id -> nodes.add(id.toString().substring(24)));
        assertThat(nodes).hasSize(250);
    }

    @Test
    void everyBitPastThePrefixVersionAndVariantVariesAcrossASubmit() {
        List<UUID> ids = Ids.newTaskIds(250);
        // The 90 random bits: the low 32 of the high half but the version nibble, and the low half but the variant.
        long highRandom = 0x0000_0000_FFFF_0FFFL;
        long lowRandom = 0x3FFF_FFFF_FFFF_FFFFL;
        assertThat(Long.bitCount(highRandom) + Long.bitCount(lowRandom)).isEqualTo(90);
        long highOr = 0;
        long highAnd = -1;
        long lowOr = 0;
        long lowAnd = -1;
        for (UUID id : ids) {
            highOr |= id.getMostSignificantBits();
            highAnd &= id.getMostSignificantBits();
            lowOr |= id.getLeastSignificantBits();
            lowAnd &= id.getLeastSignificantBits();
        }
        // Each random bit is 1 in some id and 0 in another (a stuck bit fails with odds of 2^-249).
        assertThat(Long.toBinaryString(highOr & highRandom)).isEqualTo(Long.toBinaryString(highRandom));
        assertThat(highAnd & highRandom).isZero();
        assertThat(Long.toBinaryString(lowOr & lowRandom)).isEqualTo(Long.toBinaryString(lowRandom));
        assertThat(lowAnd & lowRandom).isZero();
    }

    @Test
    void submitsGetDifferentPrefixes() {
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            prefixes.add(Ids.newTaskIds(1).get(0).toString().substring(0, 8));
        }
        assertThat(prefixes).hasSizeGreaterThan(45);
    }
}
