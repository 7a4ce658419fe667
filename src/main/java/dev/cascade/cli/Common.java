package dev.cascade.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import picocli.CommandLine.Option;

/**
 * The options every command takes: where the gateway is, the credentials, and `--json`. Each setting comes from its
 * flag, else the environment (`CASCADE_URL`, `CASCADE_API_KEY`, `CASCADE_OPERATOR_TOKEN`), else the config file
 * (`--config`, else `CASCADE_CONFIG`, else `~/.config/cascade/config.properties`: keys `url`, `api-key`,
 * `operator-token`).
 */
public final class Common {
    static final String DEFAULT_URL = "http://localhost:8080";

    @Option(
            names = "--url",
            paramLabel = "URL",
            description = "Gateway base URL (env CASCADE_URL; default " + DEFAULT_URL + ").")
    String url;

    @Option(
            names = "--api-key",
            paramLabel = "KEY",
            description = "API key (prefer env CASCADE_API_KEY or the config file: flags show in `ps`).")
    String apiKey;

    @Option(
            names = "--operator-token",
            paramLabel = "TOKEN",
            description = "Operator token for `admin` (prefer env CASCADE_OPERATOR_TOKEN or the config file).")
    String operatorToken;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Config file (properties: url, api-key, operator-token).")
    Path config;

    @Option(names = "--json", description = "Write the answer as JSON on stdout (errors too).")
    boolean json;

    /** The settings resolved from flags, environment and config file. */
    record Settings(URI url, String apiKey, String operatorToken) {
        @Override
        public String toString() {
            return "Settings[url=" + url + "]";
        }
    }

    Settings resolve(Map<String, String> env) {
        Properties file = configFile(env);
        String u = first(url, env.get("CASCADE_URL"), file.getProperty("url"), DEFAULT_URL);
        URI uri;
        try {
            uri = URI.create(u.endsWith("/") ? u : u + "/");
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new Exit.Failure(Exit.USAGE, "the gateway URL must be an http(s) URL");
        }
        return new Settings(
                uri,
                first(apiKey, env.get("CASCADE_API_KEY"), file.getProperty("api-key"), null),
                first(operatorToken, env.get("CASCADE_OPERATOR_TOKEN"), file.getProperty("operator-token"), null));
    }

    private Properties configFile(Map<String, String> env) {
        Properties props = new Properties();
        Path path = config;
        boolean named = path != null;
        if (path == null && env.get("CASCADE_CONFIG") != null) {
            path = Path.of(env.get("CASCADE_CONFIG"));
            named = true;
        }
        if (path == null) {
            String xdg = env.get("XDG_CONFIG_HOME");
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            path = xdg != null && !xdg.isBlank()
                    ? Path.of(xdg, "cascade", "config.properties")
                    : Path.of(home, ".config", "cascade", "config.properties");
        }
        if (!Files.isRegularFile(path)) {
            if (named) {
                throw new Exit.Failure(Exit.USAGE, "config file not found: " + path);
            }
            return props;
        }
        try (InputStream in = Files.newInputStream(path)) {
            props.load(in);
        } catch (IOException | IllegalArgumentException e) {
            throw new Exit.Failure(Exit.USAGE, "config file cannot be read: " + path);
        }
        return props;
    }

    private static String first(String a, String b, String c, String fallback) {
        for (String v : new String[] {a, b, c}) {
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return fallback;
    }
}
