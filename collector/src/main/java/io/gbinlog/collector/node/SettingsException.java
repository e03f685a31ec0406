package io.gbinlog.collector.node;

import java.util.List;

/**
 * Data nodes are not set up as gbinlog needs (design §2). Each problem names the data node, the setting,
 * its value and the fix; the collector refuses to start, or to go on after a reconnect, until they are fixed.
 */
public final class SettingsException extends RuntimeException {

    private final List<String> problems;

    public SettingsException(List<String> problems) {
        super(problems.size() == 1 ? problems.get(0)
                : problems.size() + " data-node settings must be fixed:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
