import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * P5's work done by plain clients, a bound on what P5 can reach on this machine (bench/compare.sh runs it after the
 * gateway's P5, at the same rate, on the same broker and database).
 *
 * <p>Task records in bursts of a submit's contacts, open loop at the given contacts/s; two workers consume them and
 * produce one result record each through one shared producer set as the gateway's result producer (acks=all,
 * idempotent, lz4, linger 2 ms); one aggregator consumes the results and settles each poll in one statement (the task
 * rows' update from unnest and the workflows' counters, autocommitted: one round trip, as the gateway's settle). The
 * figure is the gateway's P5 figure: the result record's create time until the commit of its settle, p50 / p90 / p99
 * / max over the results produced after the warm-up. Nothing of the gateway runs: no HTTP, no JSON parsing, no ledger,
 * no webhooks.
 *
 * <pre>
 *   java -cp "target/quarkus-app/lib/main/*" bench/P5Floor.java 127.0.0.1:9092 \
 *       "jdbc:postgresql://127.0.0.1:5432/DB?user=postgres&password=" CONTACTS_PER_S SECONDS [BURST [WARMUP_S]]
 * </pre>
 *
 * BURST is 250 by default; the first WARMUP_S seconds (10) of the same load are not counted. {@code -Dlinger=MS} and
 * {@code -Dcompression=TYPE} change both producers' settings; {@code -Doneshot=false} settles a poll in two statements
 * and a commit instead.
 */
public class P5Floor {
    private static final String SETTLE = """
            UPDATE p5floor_task t SET status = 'settled', result = r.res::jsonb, settled_at = now()
            FROM unnest(?::uuid[], ?::text[]) AS r (id, res)
            WHERE t.id = r.id AND t.status = 'queued'
            RETURNING t.workflow_id""";
    private static final String BUMP = """
            UPDATE p5floor_workflow w SET settled = w.settled + c.n,
              status = CASE WHEN w.settled + c.n >= w.total THEN 'completed' ELSE w.status END
            FROM unnest(?::text[], ?::int[]) AS c (id, n)
            WHERE w.id = c.id""";

    /** Both updates in one statement, run in autocommit: one round trip per poll (the default). */
    private static final String SETTLE_AND_BUMP = """
            WITH settled AS (
              UPDATE p5floor_task t SET status = 'settled', result = r.res::jsonb, settled_at = now()
              FROM unnest(?::uuid[], ?::text[]) AS r (id, res)
              WHERE t.id = r.id AND t.status = 'queued'
              RETURNING t.workflow_id),
            counts AS (SELECT workflow_id, count(*)::int AS n FROM settled GROUP BY workflow_id)
            UPDATE p5floor_workflow w SET settled = w.settled + c.n,
              status = CASE WHEN w.settled + c.n >= w.total THEN 'completed' ELSE w.status END
            FROM counts c WHERE w.id = c.workflow_id""";

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String jdbc = args[1];
        double rate = Double.parseDouble(args[2]);
        int seconds = Integer.parseInt(args[3]);
        int burst = args.length > 4 ? Integer.parseInt(args[4]) : 250;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 10;
        int bursts = Math.max(1, (int) Math.round(rate / burst * (warmup + seconds)));
        long periodNanos = (long) (1e9 * burst / rate);
        String suffix = Long.toString(System.currentTimeMillis(), 36);
        String tasksTopic = "p5floor.tasks." + suffix;
        String resultsTopic = "p5floor.results." + suffix;
        int partitions = 12;

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(
                            new NewTopic(tasksTopic, partitions, (short) 1),
                            new NewTopic(resultsTopic, partitions, (short) 1)))
                    .all()
                    .get();
        }
        String[][] taskIds = new String[bursts][burst];
        String[] workflows = new String[bursts];
        try (Connection c = DriverManager.getConnection(jdbc)) {
            try (Statement s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS p5floor_task, p5floor_workflow");
                s.execute("CREATE TABLE p5floor_workflow (id text PRIMARY KEY, total int NOT NULL, "
                        + "settled int NOT NULL DEFAULT 0, status text NOT NULL)");
                s.execute("CREATE TABLE p5floor_task (id uuid PRIMARY KEY, workflow_id text NOT NULL "
                        + "REFERENCES p5floor_workflow, status text NOT NULL, result jsonb, settled_at timestamptz)");
            }
            c.setAutoCommit(false);
            try (PreparedStatement wf =
                            c.prepareStatement("INSERT INTO p5floor_workflow (id, total, status) VALUES (?, ?, 'running')");
                    PreparedStatement tasks = c.prepareStatement("INSERT INTO p5floor_task (id, workflow_id, status) "
                            + "SELECT id, ?, 'queued' FROM unnest(?::uuid[]) AS id")) {
                for (int b = 0; b < bursts; b++) {
                    workflows[b] = "wf_" + UUID.randomUUID().toString().replace("-", "");
                    for (int i = 0; i < burst; i++) {
                        taskIds[b][i] = UUID.randomUUID().toString();
                    }
                    wf.setString(1, workflows[b]);
                    wf.setInt(2, burst);
                    wf.executeUpdate();
                    tasks.setString(1, workflows[b]);
                    tasks.setArray(2, c.createArrayOf("uuid", taskIds[b]));
                    tasks.executeUpdate();
                }
            }
            c.commit();
            try (Statement s = c.createStatement()) {
                c.setAutoCommit(true);
                s.execute("ANALYZE p5floor_workflow");
                s.execute("ANALYZE p5floor_task");
            }
        }

        Properties producerProps = new Properties();
        producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProps.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producerProps.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, System.getProperty("compression", "lz4"));
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, Integer.getInteger("linger", 2));
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 65536);
        KafkaProducer<String, String> taskProducer =
                new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        KafkaProducer<String, String> resultProducer =
                new KafkaProducer<>(producerProps, new StringSerializer(), new StringSerializer());
        taskProducer.partitionsFor(tasksTopic);
        resultProducer.partitionsFor(resultsTopic);

        long total = (long) bursts * burst;
        long[] delays = new long[(int) total];
        AtomicLong settled = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong measureFrom = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch done = new CountDownLatch(1);
        String padding = "x".repeat(300);

        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int worker = w;
            threads.add(new Thread(() -> {
                try (KafkaConsumer<String, String> consumer = consumer(bootstrap, "p5floor-workers")) {
                    List<TopicPartition> mine = new ArrayList<>();
                    for (int p = worker; p < partitions; p += 2) {
                        mine.add(new TopicPartition(tasksTopic, p));
                    }
                    consumer.assign(mine);
                    consumer.seekToBeginning(mine);
                    while (!stop.get()) {
                        ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                        for (ConsumerRecord<String, String> r : records) {
                            String value = "{\"task_id\":\"" + r.value() + "\",\"status\":\"completed\",\"pad\":\""
                                    + padding + "\"}";
                            resultProducer.send(new ProducerRecord<>(resultsTopic, r.key(), value));
                        }
                    }
                }
            }, "worker-" + w));
        }
        threads.add(new Thread(() -> {
            try (KafkaConsumer<String, String> consumer = consumer(bootstrap, "p5floor-aggregator");
                    Connection c = DriverManager.getConnection(jdbc)) {
                boolean oneShot = !"false".equals(System.getProperty("oneshot"));
                c.setAutoCommit(oneShot);
                PreparedStatement settleAndBump = c.prepareStatement(SETTLE_AND_BUMP);
                PreparedStatement settle = c.prepareStatement(SETTLE);
                PreparedStatement bump = c.prepareStatement(BUMP);
                List<TopicPartition> all = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                    all.add(new TopicPartition(resultsTopic, p));
                }
                consumer.assign(all);
                consumer.seekToBeginning(all);
                while (settled.get() < total && !stop.get()) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(100));
                    if (records.isEmpty()) {
                        continue;
                    }
                    String[] ids = new String[records.count()];
                    String[] results = new String[ids.length];
                    long[] produced = new long[ids.length];
                    int n = 0;
                    for (ConsumerRecord<String, String> r : records) {
                        String v = r.value();
                        ids[n] = v.substring(12, 48);
                        results[n] = v;
                        produced[n] = r.timestamp();
                        n++;
                    }
                    if (oneShot) {
                        settleAndBump.setArray(1, c.createArrayOf("uuid", ids));
                        settleAndBump.setArray(2, c.createArrayOf("text", results));
                        settleAndBump.executeUpdate();
                    } else {
                        settle.setArray(1, c.createArrayOf("uuid", ids));
                        settle.setArray(2, c.createArrayOf("text", results));
                        Map<String, Integer> perWorkflow = new HashMap<>();
                        try (ResultSet rs = settle.executeQuery()) {
                            while (rs.next()) {
                                perWorkflow.merge(rs.getString(1), 1, Integer::sum);
                            }
                        }
                        bump.setArray(1, c.createArrayOf("text", perWorkflow.keySet().toArray(new String[0])));
                        bump.setArray(2, c.createArrayOf("integer", perWorkflow.values().toArray(new Integer[0])));
                        bump.executeUpdate();
                        c.commit();
                    }
                    long now = System.currentTimeMillis();
                    for (int i = 0; i < n; i++) {
                        if (produced[i] >= measureFrom.get()) {
                            delays[(int) counted.getAndIncrement()] = now - produced[i];
                        }
                    }
                    settled.addAndGet(n);
                    consumer.commitAsync();
                }
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                done.countDown();
            }
        }, "aggregator"));
        // Daemons: a failure in this thread must not leave the clients polling forever.
        threads.forEach(t -> t.setDaemon(true));
        threads.forEach(Thread::start);
        Thread.sleep(2000); // assignments and first fetches before the load

        long start = System.nanoTime();
        long warmupBursts = Math.round(rate / burst * warmup);
        for (int b = 0; b < bursts; b++) {
            long due = start + b * periodNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (b == warmupBursts) {
                measureFrom.set(System.currentTimeMillis());
            }
            for (int i = 0; i < burst; i++) {
                taskProducer.send(new ProducerRecord<>(tasksTopic, workflows[b], taskIds[b][i]));
            }
        }
        boolean finished = done.await(seconds + 60L, TimeUnit.SECONDS);
        double window = (System.nanoTime() - start) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join(5000);
        }
        taskProducer.close();
        resultProducer.close();
        int n = (int) counted.get();
        long[] sorted = Arrays.copyOf(delays, n);
        Arrays.sort(sorted);
        System.out.printf(
                "p5floor offered %.0f contacts/s in bursts of %d for %d s (+%d s warm-up): %d of %d settled%s in %.1f s,"
                        + " %d counted%n",
                rate, burst, seconds, warmup, settled.get(), total, finished ? "" : " (timed out)", window, n);
        if (n > 0) {
            System.out.printf(
                    "p5floor.settle_delay_ms p50 %d p90 %d p99 %d max %d%n",
                    sorted[n / 2], sorted[(int) (n * 0.9)], sorted[(int) Math.min(n - 1, n * 0.99)], sorted[n - 1]);
        }
        try (Connection c = DriverManager.getConnection(jdbc);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT count(*) FILTER (WHERE status = 'completed'), count(*) FROM p5floor_workflow")) {
            rs.next();
            System.out.printf("p5floor workflows completed %d of %d%n", rs.getLong(1), rs.getLong(2));
            s.execute("DROP TABLE p5floor_task, p5floor_workflow");
        }
        if (!finished || settled.get() != total) {
            System.out.println("p5floor FAILED: not every result was settled; the figures above are partial");
            System.exit(1);
        }
    }

    private static KafkaConsumer<String, String> consumer(String bootstrap, String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1000);
        return new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    }
}
