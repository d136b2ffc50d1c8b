package org.mailcert.agent.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes {@code <data-dir>/state/status.json}: one JSON object with the fields of {@link
 * AgentStatus} in snake case (times as RFC 3339 text, versions as numbers, {@code bindings} as an
 * array of objects). The same document is what {@code mailcert-agent status --output json} prints.
 */
public final class StatusStore {
    /** The file name of the status file. */
    public static final String FILE = "status.json";

    private final Path file;

    /** Keeps the status under {@code dataDir/state/}. */
    public StatusStore(Path dataDir) {
        this.file = dataDir.resolve("state").resolve(FILE);
    }

    /** The status file. */
    public Path file() {
        return file;
    }

    /**
     * Reads the status; empty when {@code run} has not written one yet.
     *
     * @throws StateException if the file cannot be read or is not a status file
     */
    public Optional<AgentStatus> load() throws StateException {
        Optional<String> text = TextFiles.read(file, "the status file");
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(fromJson(text.get()));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new StateException("the status file " + file + " is damaged (" + e.getMessage()
                    + "); it is rewritten when the agent runs", e);
        }
    }

    /**
     * Replaces the status file atomically.
     *
     * @throws StateException if it cannot be written
     */
    public void save(AgentStatus status) throws StateException {
        TextFiles.write(file, toJson(status), "the status file");
    }

    /** The status as a pretty-printed JSON object. */
    public static String toJson(AgentStatus status) {
        return toJson(toStruct(status));
    }

    /** A struct as a pretty-printed JSON object. */
    public static String toJson(Struct struct) {
        try {
            return JsonFormat.printer().print(struct);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("a Struct always prints", e);
        }
    }

    /** The status as a JSON-shaped struct. */
    public static Struct toStruct(AgentStatus s) {
        List<Value> bindings = new ArrayList<>();
        for (BindingStatus b : s.bindings()) {
            bindings.add(Value.newBuilder().setStructValue(Struct.newBuilder()
                    .putFields("id", text(b.id()))
                    .putFields("served_name", text(b.servedName()))
                    .putFields("certificate", text(b.certificate()))
                    .putFields("certificate_version", number(b.certificateVersion()))
                    .putFields("leaf_sha256", text(b.leafSha256()))
                    .putFields("state", text(b.state().label()))
                    .putFields("message", text(b.message()))).build());
        }
        return Struct.newBuilder()
                .putFields("host", text(s.host()))
                .putFields("controller", text(s.controller()))
                .putFields("connection", text(s.connection().label()))
                .putFields("since", text(s.since().toString()))
                .putFields("last_error", text(s.lastError().orElse("")))
                .putFields("desired_version", number(s.desiredVersion()))
                .putFields("applied_version", number(s.appliedVersion()))
                .putFields("bindings", Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(bindings))
                        .build())
                .putFields("updated", text(s.updated().toString()))
                .build();
    }

    static AgentStatus fromJson(String json) throws InvalidProtocolBufferException {
        Struct.Builder builder = Struct.newBuilder();
        JsonFormat.parser().merge(json, builder);
        Map<String, Value> f = builder.build().getFieldsMap();
        List<BindingStatus> bindings = new ArrayList<>();
        for (Value v : field(f, "bindings").getListValue().getValuesList()) {
            Map<String, Value> b = v.getStructValue().getFieldsMap();
            bindings.add(new BindingStatus(string(b, "id"), string(b, "served_name"), string(b, "certificate"),
                    (int) field(b, "certificate_version").getNumberValue(), string(b, "leaf_sha256"),
                    BindingStatus.State.valueOf(string(b, "state").toUpperCase(java.util.Locale.ROOT)),
                    string(b, "message")));
        }
        String error = string(f, "last_error");
        return new AgentStatus(string(f, "host"), string(f, "controller"),
                AgentStatus.Connection.fromLabel(string(f, "connection")), instant(f, "since"),
                error.isEmpty() ? Optional.empty() : Optional.of(error),
                (long) field(f, "desired_version").getNumberValue(), (long) field(f, "applied_version").getNumberValue(),
                bindings, instant(f, "updated"));
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value number(long n) {
        return Value.newBuilder().setNumberValue(n).build();
    }

    private static Value field(Map<String, Value> fields, String name) {
        Value v = fields.get(name);
        if (v == null) {
            throw new IllegalArgumentException("field " + name + " is missing");
        }
        return v;
    }

    private static String string(Map<String, Value> fields, String name) {
        return field(fields, name).getStringValue();
    }

    private static Instant instant(Map<String, Value> fields, String name) {
        try {
            return Instant.parse(string(fields, name));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("field " + name + " is not a time", e);
        }
    }
}
