package io.gbinlog.integration.coordinator;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The XA global transaction id of a distributed transaction: {@code <coordinator>:<seq>:<participants>},
 * e.g. {@code k3v9q2xa:42:dn2,dn0}. The participant list (primary first) is part of the id so that
 * recovery, finding any one prepared branch, knows where the commit decision lives and which branches
 * exist, even those that never got prepared.
 */
public record Gtrid(String coordinatorId, long sequence, List<String> participants) {

    /** MySQL and MariaDB limit a gtrid to 64 bytes (XIDDATASIZE 128 holds gtrid and bqual). */
    public static final int MAX_BYTES = 64;

    static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern FORMAT = Pattern.compile("([A-Za-z0-9_-]{1,32}):(\\d{1,19}):([A-Za-z0-9_,-]+)");

    public Gtrid {
        requireId("coordinator id", coordinatorId);
        participants = List.copyOf(participants);
        if (participants.size() < 2) {
            throw new IllegalArgumentException("a distributed transaction needs at least 2 participants, got "
                    + participants);
        }
        for (String participant : participants) {
            requireId("data-node id", participant);
        }
        if (participants.stream().distinct().count() != participants.size()) {
            throw new IllegalArgumentException("participants must be distinct: " + participants);
        }
        int bytes = text(coordinatorId, sequence, participants).getBytes(StandardCharsets.US_ASCII).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("gtrid for participants " + participants + " would be " + bytes
                    + " bytes, more than the " + MAX_BYTES + " MySQL allows; use shorter ids or fewer participants");
        }
    }

    /** Parses a gtrid this coordinator format wrote; empty for any other XA id. */
    public static Optional<Gtrid> parse(String text) {
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Gtrid(m.group(1), Long.parseLong(m.group(2)),
                    Arrays.asList(m.group(3).split(","))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The first participant: it holds the commit_log row that decides the outcome. */
    public String primary() {
        return participants.get(0);
    }

    /** The value stored in commit_log.participants: "dn2,dn0". */
    public String participantList() {
        return String.join(",", participants);
    }

    /** The XA xid of this transaction's branch on {@code node}, as SQL: {@code 'gtrid','node'}. */
    String xid(String node) {
        return "'" + this + "','" + node + "'";
    }

    @Override
    public String toString() {
        return text(coordinatorId, sequence, participants);
    }

    private static String text(String coordinatorId, long sequence, List<String> participants) {
        return coordinatorId + ":" + sequence + ":" + String.join(",", participants);
    }

    static void requireId(String what, String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " must be 1-32 of [A-Za-z0-9_-], got '" + id + "'");
        }
    }
}
