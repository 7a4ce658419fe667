package dev.cascade.support;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import net.jpountz.lz4.LZ4Factory;

/**
 * Loads lz4-java's native (JNI) codec before any Kafka client compresses or decompresses a batch. The Kafka clients
 * take {@code LZ4Factory.fastestInstance()}, which tries the native codec only once it is loaded or when lz4-java was
 * loaded by the system class loader; in a Quarkus application it is loaded by the application's class loader, so
 * without this every lz4 batch the producers write (and the consumers read) went through the pure-Java codec (since
 * lz4-java 1.10 the "unsafe" Java codec is the safe one too). lz4-java unpacks the library into {@code java.io.tmpdir}
 * (a copy per class loader); where it cannot be loaded (no writable directory that allows running code, another
 * platform) the Java codec stays, as before, and the start says so once.
 */
@ApplicationScoped
public class NativeLz4 {
    /** Before the messaging channels start (their consumers' decompressor is chosen once, at first use). */
    void onStart(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent start) {
        load();
    }

    /** Loads the native codec; answers whether the Kafka clients will now use it. */
    public static boolean load() {
        try {
            LZ4Factory.nativeInstance();
        } catch (Throwable unavailable) {
            Log.infof(
                    "lz4: the native codec could not be loaded, the Kafka clients use the Java one (%s)", unavailable);
            return false;
        }
        boolean used = LZ4Factory.fastestInstance() == LZ4Factory.nativeInstance();
        Log.debugf("lz4: the Kafka clients use the %s codec", used ? "native" : "Java");
        return used;
    }
}
