package org.mailcert.bench;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.mailcert.proto.v1.Ack;
import org.mailcert.proto.v1.AgentMessage;
import org.mailcert.proto.v1.AgentServiceGrpc;
import org.mailcert.proto.v1.AppliedBinding;
import org.mailcert.proto.v1.ControllerMessage;
import org.mailcert.proto.v1.DesiredBinding;
import org.mailcert.proto.v1.DesiredState;
import org.mailcert.proto.v1.Hello;
import org.mailcert.proto.v1.HostFacts;
import org.mailcert.proto.v1.Material;

/**
 * One simulated agent: its own key, client certificate and mTLS connection to the controller,
 * a new channel (TCP and TLS) per connection attempt. It opens a Sync stream with a Hello,
 * collects the pages of each DesiredState, "applies" it at once (keeps the binding ids, leaf
 * fingerprints and held material it would have on disk), answers Ack with version and nonce, and
 * reconnects with {@link Backoff} when the stream ends. Nothing is installed: the Ack follows the last page immediately.
 *
 * <p>Thread-safety: stream callbacks arrive on the channel's event loop (direct executor),
 * reconnects on the shared scheduler; all state is guarded by {@code lock}.
 */
final class SimAgent {
    /** One update the agent applied and acknowledged; times are {@link System#nanoTime()}. */
    record Applied(SimAgent agent, int stream, long helloNanos, long version, boolean resumeHello, int pages,
            long bytes, int upserts, int removed, int materials, long firstPageNanos, long receivedNanos,
            long ackNanos) {
    }

    /** Told of every applied update. */
    interface Listener {
        void applied(Applied a);
    }

    final int index;
    final String host;
    private final InetSocketAddress controller;
    private final Supplier<ManagedChannel> channels;
    private final ScheduledExecutorService scheduler;
    private final Backoff backoff;
    private final Random random;
    private final HostFacts facts;

    private final Object lock = new Object();
    private ManagedChannel channel;
    private long appliedVersion;
    private Map<String, String> applied = new HashMap<>();
    private Set<String> held = new HashSet<>();
    private Stream current;
    private int failures;
    private int streams;
    private boolean running;
    private boolean resume = true;
    private CompletableFuture<Applied> next;

    private volatile Listener listener = a -> { };
    /** Stream attempts, and those that ended before the controller sent anything. */
    final AtomicLong attempts = new AtomicLong();
    final AtomicLong failedAttempts = new AtomicLong();
    /** Deltas naming a certificate whose material the agent neither held nor was sent (a bug). */
    final AtomicLong missingMaterial = new AtomicLong();
    /** How streams of all agents ended, by status code and description. */
    static final Map<String, AtomicLong> ENDINGS = new ConcurrentHashMap<>();

    SimAgent(int index, String host, InetSocketAddress controller, Supplier<ManagedChannel> channels, ScheduledExecutorService scheduler, Backoff backoff,
            long seed, HostFacts facts) {
        this.index = index;
        this.host = host;
        this.controller = controller;
        this.channels = channels;
        this.scheduler = scheduler;
        this.backoff = backoff;
        this.random = new Random(seed);
        this.facts = facts;
    }

    void listener(Listener l) {
        this.listener = l == null ? a -> { } : l;
    }

    /** Whether the next Hello reports the applied state (resume) or nothing (the agent lost its disk). */
    void resume(boolean resume) {
        synchronized (lock) {
            this.resume = resume;
        }
    }

    /** Starts after a random delay in [0, startJitterMillis). */
    void start(long startJitterMillis) {
        synchronized (lock) {
            running = true;
        }
        long delay = startJitterMillis <= 0 ? 0 : (long) (random.nextDouble() * startJitterMillis);
        schedule(delay);
    }

    /** Stops for good and closes the connection. */
    void stop() {
        synchronized (lock) {
            running = false;
            if (current != null) {
                current.cancel();
            }
            dropChannel();
        }
    }

    private void dropChannel() {
        if (channel != null) {
            channel.shutdownNow();
            channel = null;
        }
    }

    /** Completes with the next update this agent acknowledges. */
    CompletableFuture<Applied> nextApplied() {
        synchronized (lock) {
            next = new CompletableFuture<>();
            return next;
        }
    }

    long appliedVersion() {
        synchronized (lock) {
            return appliedVersion;
        }
    }

    private void schedule(long delayMillis) {
        try {
            scheduler.schedule(this::connect, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the benchmark is shutting down
        }
    }

    private void connect() {
        synchronized (lock) {
            if (!running || current != null) {
                return;
            }
            attempts.incrementAndGet();
            if (channel == null && !listening()) {
                failedAttempts.incrementAndGet();
                ENDINGS.computeIfAbsent("connection refused (probe)", k -> new AtomicLong()).incrementAndGet();
                schedule(backoff.afterFailures(++failures, random));
                return;
            }
            if (channel == null) {
                channel = channels.get();
            }
            Hello.Builder hello = Hello.newBuilder().setHost(host).setAgentVersion("bench-sim").setFacts(facts);
            if (resume) {
                hello.setAppliedVersion(appliedVersion);
                new TreeMap<>(applied).forEach((id, sha) -> hello.addApplied(
                        AppliedBinding.newBuilder().setId(id).setLeafSha256(sha)));
                hello.addAllHeldSha256(new java.util.TreeSet<>(held));
            }
            current = new Stream(++streams, resume);
            current.open(AgentMessage.newBuilder().setHello(hello).build());
        }
    }

    /**
     * Whether the controller accepts TCP connections: a plain connect, closed at once. All agents
     * share two cores with the controller here, and a refused attempt through a new gRPC channel
     * costs the agents' process milliseconds of CPU that a real fleet spends on its own hosts.
     * The outcome is that of the attempt's own TCP connect, so the back-off sees the same failures.
     */
    private boolean listening() {
        try (Socket s = new Socket()) {
            s.connect(controller, 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** One Sync stream. */
    private final class Stream implements StreamObserver<ControllerMessage> {
        private final int number;
        private final boolean resumeHello;
        private StreamObserver<AgentMessage> out;
        private long helloNanos;
        private boolean answered;
        private boolean ended;
        private final List<DesiredState> pages = new ArrayList<>();
        private long firstPageNanos;

        Stream(int number, boolean resumeHello) {
            this.number = number;
            this.resumeHello = resumeHello;
        }

        void open(AgentMessage hello) {
            out = AgentServiceGrpc.newStub(channel).sync(this);
            helloNanos = System.nanoTime();
            if (!ended) {
                out.onNext(hello);
            }
        }

        void cancel() {
            if (!ended && out instanceof io.grpc.stub.ClientCallStreamObserver<AgentMessage> c) {
                c.cancel("agent stopped", null);
            }
        }

        @Override
        public void onNext(ControllerMessage m) {
            long now = System.nanoTime();
            Applied done = null;
            CompletableFuture<Applied> waiter = null;
            synchronized (lock) {
                if (ended || current != this) {
                    return;
                }
                answered = true;
                failures = 0;
                if (!m.hasState()) {
                    return;
                }
                DesiredState page = m.getState();
                if (pages.isEmpty()) {
                    firstPageNanos = now;
                }
                pages.add(page);
                if (!page.getLast()) {
                    return;
                }
                done = apply(now);
                waiter = next;
                next = null;
            }
            listener.applied(done);
            if (waiter != null) {
                waiter.complete(done);
            }
        }

        /** Applies the collected pages, acks, and returns what happened. Holds {@code lock}. */
        private Applied apply(long receivedNanos) {
            DesiredState first = pages.get(0);
            boolean full = first.getFull();
            Map<String, String> result = full ? new HashMap<>() : new HashMap<>(applied);
            Set<String> sent = new HashSet<>();
            long bytes = 0;
            int upserts = 0;
            int removed = 0;
            int materials = 0;
            for (DesiredState p : pages) {
                bytes += p.getSerializedSize();
                for (String id : p.getRemovedIdsList()) {
                    result.remove(id);
                    removed++;
                }
                for (Material mat : p.getMaterialsList()) {
                    sent.add(mat.getLeafSha256());
                    materials++;
                }
            }
            for (DesiredState p : pages) {
                for (DesiredBinding b : p.getUpsertedList()) {
                    result.put(b.getId(), b.getLeafSha256());
                    upserts++;
                    if (!held.contains(b.getLeafSha256()) && !sent.contains(b.getLeafSha256())) {
                        missingMaterial.incrementAndGet();
                    }
                }
            }
            Set<String> nowHeld = new HashSet<>(held);
            nowHeld.addAll(sent);
            nowHeld.retainAll(new HashSet<>(result.values()));
            applied = result;
            held = nowHeld;
            appliedVersion = first.getVersion();
            long ackNanos = System.nanoTime();
            out.onNext(AgentMessage.newBuilder().setAck(Ack.newBuilder().setVersion(first.getVersion())
                    .setNonce(first.getNonce())).build());
            Applied a = new Applied(SimAgent.this, number, helloNanos, first.getVersion(), resumeHello, pages.size(),
                    bytes, upserts, removed, materials, firstPageNanos, receivedNanos, ackNanos);
            pages.clear();
            return a;
        }

        @Override
        public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            String why = s.getDescription() == null ? "" : s.getDescription();
            ended(s.getCode() + (why.isEmpty() ? "" : ": " + why.substring(0, Math.min(60, why.length()))));
        }

        @Override
        public void onCompleted() {
            ended("completed by the controller");
        }

        private void ended(String how) {
            synchronized (lock) {
                if (ended) {
                    return;
                }
                ended = true;
                if (current != this) {
                    return;
                }
                current = null;
                if (!running) {
                    return;
                }
                ENDINGS.computeIfAbsent(how, k -> new AtomicLong()).incrementAndGet();
                // A lost or failed connection is not reused: the next attempt makes a new one, so
                // the channel's own reconnect back-off never adds to the agent's.
                dropChannel();
                long delay;
                if (answered) {
                    delay = backoff.afterLoss(random);
                } else {
                    failedAttempts.incrementAndGet();
                    delay = backoff.afterFailures(++failures, random);
                }
                schedule(delay);
            }
        }
    }
}
