package org.mailcert.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the controller's time went in each order, read from its own INFO log. An order runs on one
 * gRPC thread from start to end, so the lines of one thread between "placed order" and "issued
 * version" are that order's steps: authorizations fetched (first "presenting"), RFC 2136 adds
 * done, every record visible at the authoritative servers, every challenge validated, the records
 * deleted, the certificate finalized and downloaded, and the version stored.
 */
final class ControllerSteps {
    /** The steps in order, each ending at the last line that matches its pattern. */
    static final List<String> STEPS = List.of("authorizations", "dns_add", "propagation_check", "validation",
            "dns_delete", "finalize_download", "store");
    private static final Pattern LINE = Pattern.compile("^(\\S+) +\\w+ +\\[([^\\]]+)\\] (\\S+) - (.*)$");
    private static final Pattern PLACED = Pattern.compile("^placed order \\S+ for \\[\\*\\.([^.,\\]]+)\\.");
    private static final Map<String, Pattern> ENDS = Map.of(
            "authorizations", Pattern.compile("^presenting "),
            "dns_add", Pattern.compile("^rfc2136 \\S+: add TXT value"),
            "propagation_check", Pattern.compile("^TXT \\S+ visible at every authoritative server"),
            "validation", Pattern.compile("^the CA validated "),
            "dns_delete", Pattern.compile("^rfc2136 \\S+: delete TXT value"),
            "finalize_download", Pattern.compile("^order \\S+ issued "),
            "store", Pattern.compile("^certificate \\S+: issued version"));

    /** One order's label and the time each step ended (epoch ms), keyed by step. */
    private record Order(String label, long placedMs, Map<String, Long> ends) {
    }

    private final List<Order> orders;

    private ControllerSteps(List<Order> orders) {
        this.orders = orders;
    }

    /** Reads every complete order from the controller's log. */
    static ControllerSteps parse(Path log) throws IOException {
        List<Order> done = new ArrayList<>();
        Map<String, Order> open = new HashMap<>();
        for (String line : Files.readAllLines(log)) {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                continue;
            }
            long at;
            try {
                at = OffsetDateTime.parse(m.group(1)).toInstant().toEpochMilli();
            } catch (DateTimeParseException e) {
                continue;
            }
            String thread = m.group(2);
            String message = m.group(4);
            Matcher placed = PLACED.matcher(message);
            if (placed.find()) {
                open.put(thread, new Order(placed.group(1), at, new LinkedHashMap<>()));
                continue;
            }
            Order order = open.get(thread);
            if (order == null) {
                continue;
            }
            for (String step : STEPS) {
                if (ENDS.get(step).matcher(message).find()) {
                    if (step.equals("authorizations")) {
                        order.ends().putIfAbsent(step, at);
                    } else {
                        order.ends().put(step, at);
                    }
                }
            }
            if (order.ends().containsKey("store")) {
                done.add(order);
                open.remove(thread);
            }
        }
        return new ControllerSteps(done);
    }

    /**
     * Puts {@code steps.<phase>.<step>.mean_ms} and {@code .p50_ms} for the orders whose label
     * starts with the phase's prefix and ends with the run's suffix, and the orders counted.
     */
    void put(Results results, Map<String, String> prefixes, int run) {
        for (Map.Entry<String, String> phase : prefixes.entrySet()) {
            List<Order> mine = orders.stream().filter(o -> o.label().startsWith(phase.getValue())
                    && o.label().contains("-r" + run + "-") && o.ends().keySet().containsAll(STEPS)).toList();
            results.put("steps." + phase.getKey() + ".orders", mine.size());
            if (mine.isEmpty()) {
                continue;
            }
            for (int i = 0; i < STEPS.size(); i++) {
                String step = STEPS.get(i);
                String before = i == 0 ? null : STEPS.get(i - 1);
                List<Double> ms = mine.stream().map(o -> (double) (o.ends().get(step)
                        - (before == null ? o.placedMs() : o.ends().get(before)))).toList();
                results.put("steps." + phase.getKey() + "." + step + ".mean_ms", Stats.of(ms).mean());
                results.put("steps." + phase.getKey() + "." + step + ".p50_ms", Stats.of(ms).percentile(50));
            }
            List<Double> total = mine.stream().map(o -> (double) (o.ends().get("store") - o.placedMs())).toList();
            results.put("steps." + phase.getKey() + ".placed_to_stored.mean_ms", Stats.of(total).mean());
        }
    }
}
