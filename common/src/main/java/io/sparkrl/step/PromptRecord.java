package io.sparkrl.step;

import java.io.Serializable;

/**
 * A corpus row: its id (the row's index in the corpus, which fixes its place in every epoch's
 * order and seeds its completions), the prompt text and the reference answer the rewards check.
 */
public record PromptRecord(long id, String prompt, String reference) implements Serializable {}
