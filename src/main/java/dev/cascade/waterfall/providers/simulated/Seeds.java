package dev.cascade.waterfall.providers.simulated;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/** Deterministic pseudo-randomness: the same contact and salt always give the same numbers. */
final class Seeds {
    static final List<String> FIRST_NAMES = List.of(
            "James",
            "Mary",
            "Robert",
            "Patricia",
            "John",
            "Jennifer",
            "Michael",
            "Linda",
            "David",
            "Elizabeth",
            "William",
            "Barbara",
            "Richard",
            "Susan",
            "Joseph",
            "Jessica",
            "Thomas",
            "Sarah",
            "Carlos",
            "Aisha",
            "Wei",
            "Priya",
            "Lars",
            "Sofia",
            "Kenji",
            "Fatima",
            "Noah",
            "Emma",
            "Liam",
            "Olivia");
    /** Lower-case first names recognised at the start of a LinkedIn slug without dashes, longest first. */
    static final List<String> SLUG_FIRST_NAMES = List.of(
            "elizabeth",
            "jennifer",
            "patricia",
            "michael",
            "jessica",
            "william",
            "richard",
            "barbara",
            "charles",
            "thomas",
            "robert",
            "joseph",
            "carlos",
            "olivia",
            "sophia",
            "daniel",
            "james",
            "susan",
            "linda",
            "sarah",
            "david",
            "maria",
            "emily",
            "kenji",
            "fatima",
            "aisha",
            "priya",
            "sofia",
            "laura",
            "jane",
            "john",
            "mary",
            "emma",
            "liam",
            "noah",
            "lars",
            "anna",
            "mark",
            "paul",
            "alex",
            "sam",
            "wei",
            "tom",
            "ann",
            "bob",
            "amy",
            "ben",
            "dan",
            "eve",
            "joe",
            "kim",
            "lee",
            "max",
            "tim");

    static final List<String> LAST_NAMES = List.of(
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Garcia",
            "Miller",
            "Davis",
            "Rodriguez",
            "Martinez",
            "Hernandez",
            "Lopez",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Martin",
            "Lee",
            "Chen",
            "Patel",
            "Nilsson",
            "Rossi",
            "Tanaka",
            "Khan",
            "Walker",
            "Young",
            "Allen",
            "King");
    static final List<String> TITLES = List.of(
            "Chief Executive Officer",
            "Chief Technology Officer",
            "VP of Sales",
            "Head of Marketing",
            "Software Engineer",
            "Senior Product Manager",
            "Director of Operations",
            "Account Executive",
            "Data Scientist",
            "Head of Growth",
            "Customer Success Manager",
            "Engineering Manager");
    static final List<String> LOCATIONS = List.of(
            "San Francisco, CA, US",
            "New York, NY, US",
            "Austin, TX, US",
            "Chicago, IL, US",
            "Seattle, WA, US",
            "Boston, MA, US",
            "London, UK",
            "Berlin, DE",
            "Toronto, CA",
            "Paris, FR");
    static final List<String> INDUSTRIES = List.of(
            "Software",
            "Financial Services",
            "Healthcare",
            "Retail",
            "Manufacturing",
            "Marketing and Advertising",
            "Logistics",
            "Education");
    static final List<String> DOMAINS = List.of(
            "acme.com",
            "globex.com",
            "initech.com",
            "umbrella-corp.com",
            "hooli.com",
            "piedpiper.com",
            "stark-industries.com",
            "wayne-enterprises.com",
            "soylent.com",
            "vandelay.com");
    /** US area codes that exist, so generated numbers are valid E.164 numbers. */
    static final List<String> AREA_CODES =
            List.of("415", "212", "646", "312", "617", "206", "512", "303", "404", "305", "213", "702");

    private Seeds() {}

    /** A well-spread non-negative long for (identity, salt). */
    static long of(String identity, String salt) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((salt + "\u0000" + identity).getBytes(StandardCharsets.UTF_8));
            long value = 0;
            for (int i = 0; i < 8; i++) {
                value = (value << 8) | (digest[i] & 0xff);
            }
            return value & Long.MAX_VALUE;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number in [0, 1) for (identity, salt). */
    static double unit(String identity, String salt) {
        return (of(identity, salt) >>> 11) / (double) (1L << 52);
    }

    static <T> T pick(List<T> values, String identity, String salt) {
        return values.get((int) (of(identity, salt) % values.size()));
    }
}
