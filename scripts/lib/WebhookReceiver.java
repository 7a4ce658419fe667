import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A minimal webhook receiver for trying the gateway locally with nothing but a JDK:
 * `java scripts/lib/WebhookReceiver.java 9000 received.log` answers 200 to every POST and appends
 * the request line, the webhook-* headers and the body to the file (and prints a one-line summary).
 */
public class WebhookReceiver {
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 9000;
        Path out = Path.of(args.length > 1 ? args[1] : "received-webhooks.log");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String entry = exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + "\nwebhook-id: " + exchange.getRequestHeaders().getFirst("webhook-id")
                    + "\nwebhook-timestamp: " + exchange.getRequestHeaders().getFirst("webhook-timestamp")
                    + "\nwebhook-signature: " + exchange.getRequestHeaders().getFirst("webhook-signature")
                    + "\n" + new String(body, StandardCharsets.UTF_8) + "\n\n";
            Files.writeString(out, entry, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            System.out.println("[receiver] " + exchange.getRequestMethod() + " " + exchange.getRequestURI()
                    + " webhook-id=" + exchange.getRequestHeaders().getFirst("webhook-id") + " (" + body.length
                    + " bytes)");
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write("ok".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.start();
        System.out.println("[receiver] listening on http://127.0.0.1:" + port + "/ , writing to " + out);
    }
}
