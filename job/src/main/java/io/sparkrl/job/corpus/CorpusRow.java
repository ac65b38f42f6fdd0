package io.sparkrl.job.corpus;

import java.io.Serializable;

/** One parsed JSON Lines row, before it gets its corpus-wide id. */
public record CorpusRow(String prompt, String answer, String completion) implements Serializable {}
