package dev.memaudit.model.canary;

import java.util.List;

/**
 * Background text of a canary: documents it learns language from, never members, controls or
 * audited works.
 *
 * @param source the folder or corpus.yaml given, as recorded in membership.json
 * @param files the documents in the order given
 * @param keepOut texts besides the trained works that the background must not contain (a corpus's
 *     controls): a file holding one is left out like one holding a work
 */
public record BackgroundCorpus(String source, List<File> files, List<CorpusText> keepOut) {
    public BackgroundCorpus {
        files = List.copyOf(files);
        keepOut = List.copyOf(keepOut);
    }

    /**
     * One background document.
     *
     * @param id its id in the background corpus
     * @param path the file read (absolute)
     * @param sha256 lower-case hex SHA-256 of the file's bytes
     * @param text its text
     */
    public record File(String id, String path, String sha256, String text) {}
}
