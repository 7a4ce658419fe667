package dev.cascade.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import net.jpountz.lz4.LZ4Factory;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class NativeLz4Test {
    @Test
    @EnabledOnOs(
            value = OS.LINUX,
            architectures = {"amd64", "aarch64"})
    void theKafkaClientsUseTheNativeCodecOnceItIsLoaded() {
        // lz4-java ships the library for these platforms and unpacks a copy per class loader, so it loads here even
        // after a Quarkus test of the same JVM loaded its own.
        assertThat(NativeLz4.load()).isTrue();
        assertThat(LZ4Factory.fastestInstance()).isSameAs(LZ4Factory.nativeInstance());
        assertThat(NativeLz4.load()).isTrue();
    }

    @Test
    void lz4BatchesRoundTripWhicheverCodecIsUsed() {
        NativeLz4.load();
        SimpleRecord[] written = new SimpleRecord[250];
        for (int i = 0; i < written.length; i++) {
            written[i] = new SimpleRecord(
                    ("public_bulk_" + i).getBytes(StandardCharsets.UTF_8),
                    ("{\"task_id\":\"" + i + "\",\"contact\":{\"first_name\":\"Jane\",\"last_name\":\"Doe\"}}")
                            .getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords batch = MemoryRecords.withRecords(Compression.lz4().build(), written);
        assertThat(batch.batches().iterator().next().compressionType()).isEqualTo(CompressionType.LZ4);
        int i = 0;
        for (Record record : batch.records()) {
            assertThat(utf8(record.value()))
                    .isEqualTo(utf8(ByteBuffer.wrap(written[i].value().array())));
            i++;
        }
        assertThat(i).isEqualTo(written.length);
    }

    private static String utf8(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
