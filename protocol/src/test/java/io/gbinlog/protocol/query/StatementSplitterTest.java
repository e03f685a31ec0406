package io.gbinlog.protocol.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class StatementSplitterTest {

    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        assertEquals(List.of("show create table `a`.`b`", "show create table `a`.`c;d`"),
                StatementSplitter.split("show create table `a`.`b`;show create table `a`.`c;d`;"));
        assertEquals(List.of("SELECT ';' /* ; */", " -- ;\nSELECT \"x;\""),
                StatementSplitter.split("SELECT ';' /* ; */; -- ;\nSELECT \"x;\""));
        assertEquals(List.of("/*!40101 SET @a = 1*/", " SET @b = 2"), StatementSplitter.split("/*!40101 SET @a = 1*/; SET @b = 2"));
    }

    @Test
    void emptyStatementsBetweenAndAfterAreNone() {
        assertEquals(List.of("SELECT 1", " SELECT 2"), StatementSplitter.split("SELECT 1;; SELECT 2; ;"));
        assertEquals(List.of(""), StatementSplitter.split(";"));
        assertEquals(List.of(""), StatementSplitter.split(""));
    }

    @Test
    void textTheLexerCannotReadStaysWhole() {
        assertEquals(List.of("SELECT 'open; SELECT 2"), StatementSplitter.split("SELECT 'open; SELECT 2"));
    }
}
