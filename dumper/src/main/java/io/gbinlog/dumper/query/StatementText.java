package io.gbinlog.dumper.query;

import java.util.regex.Pattern;

/** What every query handler of the dumper matches against: the statement as the client meant it. */
public final class StatementText {

    /** Leading comments, as tools put before statements ({@code /* ApplicationName=... *}{@code /}). */
    private static final Pattern LEADING_COMMENTS = Pattern.compile("^(\\s*/\\*.*?\\*/)*\\s*", Pattern.DOTALL);
    private static final Pattern TRAILER = Pattern.compile("[\\s;]*$");

    private StatementText() {
    }

    /** The statement without the comments tools put before it and without trailing terminators. */
    public static String bare(String sql) {
        return TRAILER.matcher(LEADING_COMMENTS.matcher(sql).replaceFirst("")).replaceFirst("");
    }
}
