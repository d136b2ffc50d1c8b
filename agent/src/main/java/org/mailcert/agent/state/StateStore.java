package org.mailcert.agent.state;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.mailcert.common.files.AtomicFiles;
import org.mailcert.proto.v1.DesiredState;

/**
 * Reads and writes {@code <data-dir>/state/applied.pb} (see the package documentation). Writes are
 * atomic; the file is 0600 in a 0700 directory because it holds private keys.
 */
public final class StateStore {
    /** The file name of the applied state. */
    public static final String FILE = "applied.pb";

    private final Path file;

    /** Keeps the state under {@code dataDir/state/}. */
    public StateStore(Path dataDir) {
        this.file = dataDir.resolve("state").resolve(FILE);
    }

    /** The state file. */
    public Path file() {
        return file;
    }

    /**
     * Reads the applied state; {@link AppliedState#EMPTY} when there is none yet.
     *
     * @throws StateException if the file cannot be read or is not a state file
     */
    public AppliedState load() throws StateException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return AppliedState.EMPTY;
        } catch (IOException e) {
            throw new StateException("cannot read the applied state " + file + ": " + e.getMessage(), e);
        }
        try {
            DesiredState state = DesiredState.parseFrom(bytes);
            if (!state.getFull()) {
                throw new StateException("the applied state " + file + " is not a full state; delete it and the"
                        + " agent gets the complete state from the controller", null);
            }
            return AppliedState.fromProto(state);
        } catch (InvalidProtocolBufferException e) {
            throw new StateException("the applied state " + file + " is damaged (" + e.getMessage()
                    + "); delete it and the agent gets the complete state from the controller", e);
        }
    }

    /**
     * Deletes the applied state and the status file (when the data dir is given to another host).
     *
     * @throws StateException if they cannot be deleted
     */
    public void clear() throws StateException {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(StatusStore.FILE));
        } catch (IOException e) {
            throw new StateException("cannot delete the applied state " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces the applied state atomically (0600 file, 0700 directory, fsynced).
     *
     * @throws StateException if it cannot be written; the old file is then still in place
     */
    public void save(AppliedState state) throws StateException {
        try {
            AtomicFiles.privateDirectory(file.getParent());
            AtomicFiles.write(file, state.toProto().toByteArray(), AtomicFiles.OWNER_ONLY);
        } catch (IOException e) {
            throw new StateException("cannot write the applied state " + file + ": " + e.getMessage(), e);
        }
    }
}
