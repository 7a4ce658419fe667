package dev.cascade.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The loopback mail world of the `smtp-verify` tests, started once per run: a DNS server and scripted SMTP servers,
 * each on its own loopback address (127.0.0.x) at one shared port, because the verifier connects to every MX on one
 * configured port. The gateway gets `t-smtp`, an `smtp-verify` provider pointed at them, and `t-smtp-finder`, a
 * declarative email finder proposing the addresses a test registered ({@link #propose}); unit tests build their own
 * providers from {@link #settings()}.
 *
 * <pre>
 * reliable.test   MX 10 mx.reliable.test  → 127.0.0.2: knows ada, ben, grace, info, lin; 550 5.1.1 for anyone else
 * catchall.test   MX 10 mx.catchall.test  → 127.0.0.3: accepts every address
 * greylist.test   MX 10 mx.greylist.test  → 127.0.0.4: 451 4.7.1 to every RCPT
 * starttls.test   MX 10 mx.starttls.test  → 127.0.0.5: offers STARTTLS (self-signed), then like reliable
 * slow.test       MX 10 mx.slow.test      → 127.0.0.6: greets after 8 s
 * drop.test       MX 10 mx.drop.test      → 127.0.0.7: hangs up at RCPT
 * backup.test     MX 10 mx1.backup.test   → 127.0.0.8: 421 at the greeting; MX 20 mx2.backup.test → 127.0.0.2
 * blocked.test    MX 10 mx.blocked.test   → 127.0.0.9: 554 5.7.1 to MAIL FROM
 * dead.test       MX 10 mx.dead.test      → 127.0.0.10: nothing listens
 * codes.test      MX 10 mx.codes.test     → 127.0.0.12: answers RCPT with the code its local part names
 *                 ({@link #CODES}: `r551@codes.test` gets 551 5.1.6), 550 5.1.1 for anyone else
 * patient.test    MX 10 mx.patient.test   → 127.0.0.11: greylists a known mailbox the first time (451), then like
 *                 reliable — a greylisting server as it really behaves
 * amx.test        no MX, A → 127.0.0.2 (RFC 5321 §5 fallback)
 * nullmx.test     MX 0 . (RFC 7505)
 * nomail.test     exists (TXT) with neither MX nor address
 * private.test    MX 10 mx.private.test   → 10.1.2.3 (never connected to: the egress policy refuses it)
 * silent.test     the DNS server never answers
 * anything else   NXDOMAIN
 * </pre>
 */
public class MailServers implements QuarkusTestResourceLifecycleManager {
    public static final Set<String> MAILBOXES = Set.of("ada", "ben", "grace", "info", "lin");
    /** The scripted RCPT replies of codes.test, by local part. */
    public static final Map<String, String> CODES = Map.of(
            "r250", "250 2.1.5 Recipient OK",
            "r251", "251 2.1.5 User not local; will forward",
            "r550", "550 5.1.1 No such user",
            "r551", "551 5.1.6 User has moved",
            "r553", "553 5.1.3 Mailbox name not allowed",
            "r550policy", "550 5.7.1 Relaying denied for your address",
            "r552", "552 5.2.2 Mailbox full",
            "r554", "554 5.7.1 Rejected by policy",
            "r450", "450 4.2.0 Mailbox busy",
            "r452", "452 4.2.2 Too many recipients this hour");

    private static final Duration SLOW_GREETING = Duration.ofSeconds(8);

    private static final Map<String, String> proposals = new java.util.concurrent.ConcurrentHashMap<>();
    private static LoopbackDns dns;
    private static HttpServer finder;
    private static int port;
    private static Path certificate;
    private static final Map<String, ScriptedSmtpServer> servers = new HashMap<>();

    /** Starts the world once (idempotent). */
    public static synchronized void ensureStarted() {
        if (dns != null) {
            return;
        }
        SSLContext tls = selfSigned();
        finder = finder();
        port = bindAll(tls);
        dns = new LoopbackDns()
                .mx("reliable.test", 10, "mx.reliable.test")
                .a("mx.reliable.test", "127.0.0.2")
                .mx("catchall.test", 10, "mx.catchall.test")
                .a("mx.catchall.test", "127.0.0.3")
                .mx("greylist.test", 10, "mx.greylist.test")
                .a("mx.greylist.test", "127.0.0.4")
                .mx("starttls.test", 10, "mx.starttls.test")
                .a("mx.starttls.test", "127.0.0.5")
                .mx("slow.test", 10, "mx.slow.test")
                .a("mx.slow.test", "127.0.0.6")
                .mx("drop.test", 10, "mx.drop.test")
                .a("mx.drop.test", "127.0.0.7")
                .mx("backup.test", 10, "mx1.backup.test")
                .mx("backup.test", 20, "mx2.backup.test")
                .a("mx1.backup.test", "127.0.0.8")
                .a("mx2.backup.test", "127.0.0.2")
                .mx("blocked.test", 10, "mx.blocked.test")
                .a("mx.blocked.test", "127.0.0.9")
                .mx("dead.test", 10, "mx.dead.test")
                .a("mx.dead.test", "127.0.0.10")
                .a("amx.test", "127.0.0.2")
                .nullMx("nullmx.test")
                .txt("nomail.test", "v=spf1 -all")
                .mx("private.test", 10, "mx.private.test")
                .a("mx.private.test", "10.1.2.3")
                .mx("patient.test", 10, "mx.patient.test")
                .a("mx.patient.test", "127.0.0.11")
                .mx("codes.test", 10, "mx.codes.test")
                .a("mx.codes.test", "127.0.0.12")
                .silent("silent.test");
    }

    /** Binds every scripted server at one port, trying another port if one of the addresses has it taken. */
    private static int bindAll(SSLContext tls) {
        for (int attempt = 0; attempt < 20; attempt++) {
            int candidate = freePort();
            try {
                servers.put("reliable", knowsMailboxes(new ScriptedSmtpServer("127.0.0.2", candidate)));
                servers.put("catchall", new ScriptedSmtpServer("127.0.0.3", candidate));
                servers.put(
                        "greylist",
                        new ScriptedSmtpServer("127.0.0.4", candidate)
                                .rcpt(a -> "451 4.7.1 Greylisted, please try again later"));
                servers.put("starttls", knowsMailboxes(new ScriptedSmtpServer("127.0.0.5", candidate).startTls(tls)));
                servers.put("slow", new ScriptedSmtpServer("127.0.0.6", candidate).greetingDelay(SLOW_GREETING));
                servers.put("drop", new ScriptedSmtpServer("127.0.0.7", candidate).dropAt("RCPT"));
                servers.put(
                        "busy",
                        new ScriptedSmtpServer("127.0.0.8", candidate)
                                .greeting("421 4.3.2 Service not available, closing channel"));
                servers.put(
                        "blocked",
                        new ScriptedSmtpServer("127.0.0.9", candidate)
                                .mailReply("554 5.7.1 Client host rejected: listed at a blocklist"));
                servers.put("patient", greylistsOnce(new ScriptedSmtpServer("127.0.0.11", candidate)));
                servers.put(
                        "codes",
                        new ScriptedSmtpServer("127.0.0.12", candidate)
                                .rcpt(a -> CODES.getOrDefault(
                                        a.substring(0, Math.max(0, a.indexOf('@'))), "550 5.1.1 User unknown")));
                return candidate;
            } catch (UncheckedIOException taken) {
                servers.values().forEach(ScriptedSmtpServer::close);
                servers.clear();
            }
        }
        throw new IllegalStateException("no port free on every loopback address");
    }

    private static ScriptedSmtpServer knowsMailboxes(ScriptedSmtpServer server) {
        return server.rcpt(address -> MAILBOXES.contains(address.substring(0, Math.max(0, address.indexOf('@'))))
                ? "250 2.1.5 Recipient OK"
                : "550 5.1.1 User unknown");
    }

    private static ScriptedSmtpServer greylistsOnce(ScriptedSmtpServer server) {
        Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return server.rcpt(address -> {
            if (!MAILBOXES.contains(address.substring(0, Math.max(0, address.indexOf('@'))))) {
                return "550 5.1.1 User unknown";
            }
            return seen.add(address) ? "451 4.7.1 Greylisted, please try again later" : "250 2.1.5 Recipient OK";
        });
    }

    /** The scripted server by role: reliable, catchall, greylist, starttls, slow, drop, busy, blocked, patient, codes. */
    public static ScriptedSmtpServer server(String role) {
        ensureStarted();
        return servers.get(role);
    }

    /** The PEM certificate the STARTTLS server presents (for `smtp.tls=verify` with `tls-trust-file`). */
    public static Path certificate() {
        ensureStarted();
        return certificate;
    }

    /**
     * The `smtp.*` settings (without the `cascade.providers.<name>.` prefix) that point a verifier at this world:
     * loopback DNS and port, loopback allowed and nothing else, short timeouts.
     */
    public static Map<String, String> settings() {
        ensureStarted();
        Map<String, String> settings = new HashMap<>();
        settings.put("type", "smtp-verify");
        settings.put("cost", "0");
        settings.put("timeout", "15s");
        settings.put("retry.max-retries", "0");
        settings.put("smtp.helo-name", "verifier.cascade.test");
        settings.put("smtp.mail-from", "probe@cascade.test");
        settings.put("smtp.port", Integer.toString(port));
        settings.put("smtp.dns.servers", "127.0.0.1:" + dns.port());
        settings.put("smtp.dns.timeout", "500ms");
        settings.put("smtp.allow-public", "false");
        settings.put("smtp.egress-allow", "127.0.0.0/8");
        settings.put("smtp.connect-timeout", "3s");
        settings.put("smtp.step-timeout", "3s");
        settings.put("smtp.pacing.mx-interval", "10ms");
        return settings;
    }

    /** Makes `t-smtp-finder` propose this address for contacts with this first name. */
    public static void propose(String firstName, String email) {
        ensureStarted();
        proposals.put(firstName, email);
    }

    /**
     * The finder of the workflow test: a loopback HTTP endpoint answering `{"email":…}` for the first names a test
     * registered, `{}` otherwise, read by a declarative provider.
     */
    private static HttpServer finder() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/find", exchange -> {
                String query = exchange.getRequestURI().getQuery();
                String first = query == null ? "" : URLDecoder.decode(query.replaceFirst("^first=", ""), UTF_8);
                String email = proposals.get(first);
                byte[] body = (email == null ? "{}" : "{\"email\":\"" + email + "\"}").getBytes(UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> start() {
        ensureStarted();
        Map<String, String> config = new HashMap<>();
        settings().forEach((key, value) -> config.put("cascade.providers.t-smtp." + key, value));
        // Through the guard: a greylisting server asks for 1 s, short enough for one retry (cap 5 s).
        config.put("cascade.providers.t-smtp.retry.max-retries", "1");
        config.put("cascade.providers.t-smtp.smtp.greylist-retry-after", "1s");
        String finderUrl = "http://127.0.0.1:" + finder.getAddress().getPort() + "/find?first={first_name}";
        config.put("cascade.providers.t-smtp-finder.type", "http");
        config.put("cascade.providers.t-smtp-finder.http.capabilities", "email");
        config.put("cascade.providers.t-smtp-finder.http.url", finderUrl);
        config.put("cascade.providers.t-smtp-finder.http.map.email", "/email");
        config.put("cascade.providers.t-smtp-finder.timeout", "10s");
        config.put("cascade.providers.t-smtp-finder.breaker.enabled", "false");
        return config;
    }

    @Override
    public void stop() {
        // One world for the whole run: test profiles restart Quarkus, which stops and starts test resources again.
    }

    /** A key pair and self-signed certificate made with the JDK's keytool (no library needed), and its PEM. */
    private static SSLContext selfSigned() {
        try {
            Path dir = Files.createTempDirectory("smtp-tls");
            Path store = dir.resolve("mx.p12");
            certificate = dir.resolve("mx.pem");
            String keytool =
                    Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
            run(List.of(
                    keytool,
                    "-genkeypair",
                    "-alias",
                    "mx",
                    "-keyalg",
                    "RSA",
                    "-keysize",
                    "2048",
                    "-validity",
                    "2",
                    "-dname",
                    "CN=mx.starttls.test",
                    "-ext",
                    "SAN=dns:mx.starttls.test",
                    "-keystore",
                    store.toString(),
                    "-storetype",
                    "PKCS12",
                    "-storepass",
                    "changeit",
                    "-keypass",
                    "changeit"));
            run(List.of(
                    keytool,
                    "-exportcert",
                    "-rfc",
                    "-alias",
                    "mx",
                    "-keystore",
                    store.toString(),
                    "-storepass",
                    "changeit",
                    "-file",
                    certificate.toString()));
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, "changeit".toCharArray());
            }
            KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            managers.init(keys, "changeit".toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(managers.getKeyManagers(), null, null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test certificate", e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
