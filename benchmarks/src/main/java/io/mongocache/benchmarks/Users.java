package io.mongocache.benchmarks;

import com.mongodb.client.MongoCollection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.bson.Document;
import org.bson.RawBsonDocument;
import org.bson.types.Decimal128;
import org.bson.types.ObjectId;

/**
 * Realistic user profiles of about 1 KB of BSON each: an {@code ObjectId}, names, contact data, an address
 * sub-document with a GeoJSON point, tag and role arrays, several dates, a {@code Decimal128} balance, nested
 * preferences, devices and recent orders, and a short free-text bio.
 *
 * <p>Generation is deterministic for a given seed (the {@code _id}s too), so two runs, or the cached and the
 * uncached half of the demo, work on the same data. The field {@code n} is a counter that the write benchmark
 * and the demo's writes update.
 */
public final class Users {

    /** Default seed: every benchmark and the demo load the same population. */
    public static final long SEED = 20_240_601L;

    private static final String[] FIRST = {"Ada", "Alan", "Barbara", "Claude", "Donald", "Edsger", "Frances",
        "Grace", "Hedy", "Ivan", "Joan", "Ken", "Linus", "Margaret", "Niklaus", "Ole", "Radia", "Sophie",
        "Tim", "Ursula", "Vint", "Whitfield", "Yukihiro", "Zuse"};
    private static final String[] LAST = {"Lovelace", "Turing", "Liskov", "Shannon", "Knuth", "Dijkstra",
        "Allen", "Hopper", "Lamarr", "Sutherland", "Clarke", "Thompson", "Torvalds", "Hamilton", "Wirth",
        "Dahl", "Perlman", "Wilson", "Berners-Lee", "Martin", "Cerf", "Diffie", "Matsumoto", "Konrad"};
    private static final String[][] CITIES = {
        {"Berlin", "BE", "DE", "13.4050", "52.5200"}, {"Paris", "IDF", "FR", "2.3522", "48.8566"},
        {"Lisbon", "LX", "PT", "-9.1393", "38.7223"}, {"Austin", "TX", "US", "-97.7431", "30.2672"},
        {"Toronto", "ON", "CA", "-79.3832", "43.6532"}, {"Osaka", "27", "JP", "135.5023", "34.6937"},
        {"Melbourne", "VIC", "AU", "144.9631", "-37.8136"}, {"Nairobi", "30", "KE", "36.8219", "-1.2921"},
        {"Bogota", "DC", "CO", "-74.0721", "4.7110"}, {"Krakow", "MA", "PL", "19.9450", "50.0647"}};
    private static final String[] STREETS = {"Main Street", "Harbour Road", "Linden Allee", "Rue de la Paix",
        "Avenida da Liberdade", "Queen Street West", "Maple Avenue", "Station Road", "Market Square"};
    private static final String[] TAGS = {"early-adopter", "newsletter", "beta", "vip", "mobile", "desktop",
        "churn-risk", "referral", "b2b", "student", "gift-card", "wishlist", "returns", "support-ticket"};
    private static final String[] LANGUAGES = {"en-GB", "en-US", "de-DE", "fr-FR", "pt-PT", "ja-JP", "es-CO"};
    private static final String[] DEVICES = {"iPhone 15", "Pixel 8", "Galaxy S23", "MacBook Air", "ThinkPad X1"};
    private static final String[] OS = {"iOS 17.4", "Android 14", "Android 14", "macOS 14.3", "Windows 11"};
    private static final String[] WORDS = ("loves hiking and distributed systems writes about databases "
            + "caching latency coffee photography cycling open source mentoring kotlin java rust go "
            + "climbing chess jazz gardening travel baking mountains sailing reading sci-fi").split(" ");

    private static final long YEAR_MS = 365L * 24 * 3600 * 1000;
    private static final long NOW_MS = 1_717_200_000_000L; // 2024-06-01, fixed for determinism

    private Users() {}

    /** User number {@code i} of the population generated from {@code seed}. */
    public static Document user(long seed, int i) {
        Random rnd = new Random(seed * 1_000_003L + i);
        String first = pick(rnd, FIRST);
        String last = pick(rnd, LAST);
        String username = (first + "." + last).toLowerCase().replace("-", "") + i;
        String[] city = CITIES[rnd.nextInt(CITIES.length)];
        long created = NOW_MS - (long) (rnd.nextDouble() * 5 * YEAR_MS);

        Document geo = new Document("type", "Point").append("coordinates", Arrays.asList(
                Double.parseDouble(city[3]) + rnd.nextGaussian() * 0.05,
                Double.parseDouble(city[4]) + rnd.nextGaussian() * 0.05));
        Document address = new Document("street", (1 + rnd.nextInt(250)) + " " + pick(rnd, STREETS))
                .append("city", city[0]).append("state", city[1])
                .append("postalCode", String.format("%05d", rnd.nextInt(100_000)))
                .append("country", city[2]).append("geo", geo);

        List<String> tags = new ArrayList<>();
        for (int t = 2 + rnd.nextInt(4); t > 0; t--) {
            String tag = pick(rnd, TAGS);
            if (!tags.contains(tag)) {
                tags.add(tag);
            }
        }
        List<Document> devices = new ArrayList<>();
        for (int d = 1 + rnd.nextInt(2); d > 0; d--) {
            int k = rnd.nextInt(DEVICES.length);
            devices.add(new Document("model", DEVICES[k]).append("os", OS[k])
                    .append("lastSeen", new Date(NOW_MS - rnd.nextInt(30 * 24 * 3600) * 1000L)));
        }
        List<Document> orders = new ArrayList<>();
        for (int o = 1 + rnd.nextInt(2); o > 0; o--) {
            orders.add(new Document("orderId", objectId(rnd))
                    .append("total", money(rnd, 5, 400))
                    .append("items", 1 + rnd.nextInt(6))
                    .append("placedAt", new Date(created + (long) (rnd.nextDouble() * (NOW_MS - created)))));
        }
        StringBuilder bio = new StringBuilder(first).append(' ');
        while (bio.length() < 100) {
            bio.append(pick(rnd, WORDS)).append(' ');
        }

        return new Document("_id", objectId(rnd))
                .append("username", username)
                .append("name", new Document("first", first).append("last", last))
                .append("email", username + "@example." + city[2].toLowerCase())
                .append("phone", "+" + (1 + rnd.nextInt(98)) + " " + (100_000_000 + rnd.nextInt(900_000_000)))
                .append("address", address)
                .append("tags", tags)
                .append("roles", rnd.nextInt(20) == 0 ? List.of("customer", "admin") : List.of("customer"))
                .append("createdAt", new Date(created))
                .append("updatedAt", new Date(created + (long) (rnd.nextDouble() * (NOW_MS - created))))
                .append("lastLoginAt", new Date(NOW_MS - rnd.nextInt(90 * 24 * 3600) * 1000L))
                .append("birthDate", new Date(NOW_MS - (18 + rnd.nextInt(60)) * YEAR_MS))
                .append("balance", money(rnd, 0, 2_500))
                .append("loyaltyPoints", rnd.nextInt(50_000))
                .append("active", rnd.nextInt(10) != 0)
                .append("emailVerified", rnd.nextInt(5) != 0)
                .append("preferences", new Document("language", pick(rnd, LANGUAGES))
                        .append("currency", rnd.nextBoolean() ? "EUR" : "USD")
                        .append("theme", rnd.nextBoolean() ? "dark" : "light")
                        .append("notifications", new Document("email", rnd.nextBoolean())
                                .append("sms", rnd.nextBoolean()).append("push", rnd.nextBoolean())))
                .append("devices", devices)
                .append("recentOrders", orders)
                .append("bio", bio.toString().trim())
                .append("n", 0);
    }

    /**
     * Inserts users {@code 0 .. count-1} of the population from {@code seed} (in batches) and returns their
     * {@code _id}s in insertion order.
     */
    public static List<ObjectId> load(MongoCollection<Document> collection, int count, long seed) {
        List<ObjectId> ids = new ArrayList<>(count);
        List<Document> batch = new ArrayList<>(1000);
        for (int i = 0; i < count; i++) {
            Document user = user(seed, i);
            ids.add(user.getObjectId("_id"));
            batch.add(user);
            if (batch.size() == 1000) {
                collection.insertMany(batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            collection.insertMany(batch);
        }
        return ids;
    }

    /** Mean BSON size of the first {@code sample} users of a population, for reports. */
    public static int meanBsonBytes(long seed, int sample) {
        long total = 0;
        for (int i = 0; i < sample; i++) {
            total += new RawBsonDocument(user(seed, i), new org.bson.codecs.DocumentCodec()).getByteBuffer().remaining();
        }
        return (int) (total / sample);
    }

    private static String pick(Random rnd, String[] values) {
        return values[rnd.nextInt(values.length)];
    }

    private static Decimal128 money(Random rnd, int min, int max) {
        BigDecimal value = BigDecimal.valueOf(min + rnd.nextDouble() * (max - min)).setScale(2, RoundingMode.HALF_EVEN);
        return new Decimal128(value);
    }

    /** A deterministic but realistic-looking ObjectId: a timestamp in the past five years, then random bytes. */
    private static ObjectId objectId(Random rnd) {
        byte[] bytes = new byte[12];
        rnd.nextBytes(bytes);
        int seconds = (int) ((NOW_MS - (long) (rnd.nextDouble() * 5 * YEAR_MS)) / 1000);
        bytes[0] = (byte) (seconds >>> 24);
        bytes[1] = (byte) (seconds >>> 16);
        bytes[2] = (byte) (seconds >>> 8);
        bytes[3] = (byte) seconds;
        return new ObjectId(bytes);
    }
}
