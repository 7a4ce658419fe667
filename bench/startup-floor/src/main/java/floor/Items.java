package floor;

import java.time.temporal.ChronoUnit;
import java.util.List;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

import io.smallrye.mutiny.Uni;
import org.eclipse.microprofile.faulttolerance.Timeout;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** One endpoint, one guarded call, one channel in and one out: the kinds of start-up work the gateway has. */
@Path("/items")
public class Items {
    @Channel("out")
    Emitter<String> out;

    @GET
    @Timeout(value = 2, unit = ChronoUnit.SECONDS)
    public Uni<List<Item>> list() {
        return Item.listAll();
    }

    @Incoming("in")
    public void consume(String value) {
        out.send(value);
    }
}
