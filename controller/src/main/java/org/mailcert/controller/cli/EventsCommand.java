package org.mailcert.controller.cli;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.mailcert.common.text.Table;
import org.mailcert.proto.v1.Event;
import org.mailcert.proto.v1.ListEventsRequest;
import org.mailcert.proto.v1.ListEventsResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code mailcert events}: the audit and event log, once or followed as it is written. */
@Command(name = "events", description = {
    "The audit and event log: changes, installs, drift, renewals, failures.",
    "With --follow, prints the latest events and then each new one until interrupted (Ctrl-C);",
    "with --output json it prints one JSON object per line."})
final class EventsCommand implements Callable<Integer> {
    private static final String[] HEADER = {"TIME", "ACTOR", "KIND", "HOST", "SUBJECT", "MESSAGE"};
    /** Minimum column widths while following, so rows that arrive later mostly line up. */
    private static final int[] FOLLOW_WIDTHS = {20, 18, 22, 20, 20, 0};

    @ParentCommand
    MailcertCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "FQDN", description = "Only events about this host.")
    String host;

    @Option(names = "--limit", paramLabel = "N", description = "How many of the newest events to show (default: the controller's, 100).")
    Integer limit;

    @Option(names = {"-f", "--follow"}, description = "Keep printing new events as they are written.")
    boolean follow;

    @Override
    public Integer call() throws CliException {
        if (limit != null && limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        ListEventsRequest request = ListEventsRequest.newBuilder()
                .setHost(host == null ? "" : host)
                .setLimit(limit == null ? 0 : limit)
                .build();
        ListEventsResponse recent = cli.client().call().listEvents(request);
        Output output = cli.output();
        if (!follow) {
            output.print(recent, () -> {
                Table table = Table.columns(HEADER);
                recent.getEventsList().forEach(e -> table.row(cells(e)));
                return table.render();
            });
            return 0;
        }
        long after = recent.getEventsList().stream().mapToLong(Event::getSeq).max().orElse(0);
        int[] widths = widths(recent.getEventsList());
        if (!output.json()) {
            output.printLine(Table.line("", List.of(HEADER), widths));
        }
        recent.getEventsList().forEach(e -> print(output, e, widths));
        Iterator<Event> stream = cli.client().stream()
                .watchEvents(ListEventsRequest.newBuilder().setHost(request.getHost()).setAfterSeq(after).build());
        while (stream.hasNext()) {
            print(output, stream.next(), widths);
        }
        return 0;
    }

    private static void print(Output output, Event e, int[] widths) {
        if (output.json()) {
            output.printJsonLine(e);
        } else {
            output.printLine(Table.line("", List.of(cells(e)), widths));
        }
    }

    private static int[] widths(List<Event> events) {
        int[] widths = FOLLOW_WIDTHS.clone();
        for (Event e : events) {
            String[] cells = cells(e);
            for (int i = 0; i < cells.length; i++) {
                widths[i] = Math.max(widths[i], Table.cell(cells[i]).length());
            }
        }
        return widths;
    }

    private static String[] cells(Event e) {
        return new String[] {Formats.time(e.getTime()), e.getActor(), e.getKind(), e.getHost(), e.getSubject(), e.getMessage()};
    }
}
