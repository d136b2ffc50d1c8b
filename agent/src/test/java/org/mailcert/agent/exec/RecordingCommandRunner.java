package org.mailcert.agent.exec;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A command runner for tests: records every command and answers with scripted results (exit 0 with
 * no output once the script is used up). Thread-safe.
 */
public final class RecordingCommandRunner implements CommandRunner {
    private final List<Command> commands = new ArrayList<>();
    private final Deque<CommandResult> script = new ArrayDeque<>();

    /** Queues the result of the next command. */
    public synchronized RecordingCommandRunner thenReturn(CommandResult result) {
        script.addLast(result);
        return this;
    }

    /** Every command run so far, in order. */
    public synchronized List<Command> commands() {
        return List.copyOf(commands);
    }

    @Override
    public synchronized CommandResult run(Command command) {
        commands.add(command);
        CommandResult next = script.pollFirst();
        return next != null ? next : CommandResult.exited(0, "");
    }
}
