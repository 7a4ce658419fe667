package dev.cascade.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.RestAssured;
import picocli.CommandLine;

/** Runs the CLI's entry point in-process against the test gateway, with captured streams and its own environment. */
final class Cli {
    private Cli() {}

    record Run(int code, String out, String err) {
        String all() {
            return out + err;
        }
    }

    /** The test gateway's public base URL. */
    static String url() {
        return "http://localhost:" + RestAssured.port;
    }

    /** An environment naming the test gateway and this key, and no config file of the machine's user. */
    static Map<String, String> env(String key) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CASCADE_URL", url());
        if (key != null) {
            env.put("CASCADE_API_KEY", key);
        }
        env.put("HOME", "/nonexistent-cascade-cli-test-home");
        return env;
    }

    static Run run(Map<String, String> env, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cascade.run(args, o, e, env, false);
        }
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** A CSV of {@code count} people with a pass-through `crm_id` column: `First Name,Last Name,Company Domain,crm_id`. */
    static Path people(Path dir, String name, int count) {
        StringBuilder csv = new StringBuilder("First Name,Last Name,Company Domain,crm_id\n");
        for (int i = 0; i < count; i++) {
            csv.append("First")
                    .append(i)
                    .append(",Last")
                    .append(i)
                    .append(",company")
                    .append(i)
                    .append(".com,crm-")
                    .append(i)
                    .append('\n');
        }
        return write(dir.resolve(name), csv.toString());
    }

    static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A class path for running the CLI in a separate JVM before `package` built its jar: the compiled classes and the
     * picocli and Jackson jars this JVM loaded.
     */
    static String classPath() {
        List<String> parts = new ArrayList<>();
        parts.add(Path.of("target/classes").toAbsolutePath().toString());
        for (Class<?> type : List.of(CommandLine.class, ObjectMapper.class, JsonFactory.class, JsonAutoDetect.class)) {
            parts.add(jarOf(type));
        }
        return String.join(java.io.File.pathSeparator, parts);
    }

    private static String jarOf(Class<?> type) {
        URL url = type.getResource(type.getSimpleName() + ".class");
        String s = String.valueOf(url);
        if (!s.startsWith("jar:file:")) {
            throw new IllegalStateException("not loaded from a jar: " + s);
        }
        try {
            return Path.of(new java.net.URI(s.substring(4, s.indexOf("!/")))).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
