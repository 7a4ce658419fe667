package dev.cascade.webhooks;

import java.util.List;
import java.util.StringJoiner;
import java.util.UUID;
import jakarta.enterprise.context.ApplicationScoped;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.EmptyWebhookSecretException;
import com.standardwebhooks.exceptions.WebhookSigningException;
import io.smallrye.mutiny.Uni;

/**
 * The `webhook-signature` header of the Standard Webhooks scheme (§6.3), computed by the published
 * `com.standardwebhooks` library: `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` per secret of the
 * organisation that signs now, newest first, separated by spaces (two during a rotation's overlap).
 */
@ApplicationScoped
public class WebhookSigner {
    private final SigningSecrets secrets;

    public WebhookSigner(SigningSecrets secrets) {
        this.secrets = secrets;
    }

    /**
     * The header value for one attempt: {@code timestamp} (Unix seconds) must be the `webhook-timestamp` sent and
     * {@code body} exactly the body sent. Fails when the organisation's secrets cannot be read; never answers an
     * empty signature.
     */
    public Uni<String> signature(UUID orgId, String msgId, long timestamp, String body) {
        return secrets.activeSecrets(orgId).map(active -> sign(active, msgId, timestamp, body));
    }

    static String sign(List<String> active, String msgId, long timestamp, String body) {
        if (active.isEmpty()) {
            throw new IllegalStateException("No webhook signing secret");
        }
        StringJoiner header = new StringJoiner(" ");
        for (String secret : active) {
            try {
                header.add(new Webhook(secret).sign(msgId, timestamp, body));
            } catch (EmptyWebhookSecretException | WebhookSigningException e) {
                // The library's messages never carry the secret; keep it that way by not wrapping the cause.
                throw new IllegalStateException(
                        "A webhook could not be signed: " + e.getClass().getSimpleName());
            }
        }
        return header.toString();
    }
}
