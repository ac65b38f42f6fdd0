package io.sparkrl.job.corpus;

import io.sparkrl.step.TrainerSettings;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import java.io.Serializable;

/**
 * What a parsed record must satisfy besides its format, checked in the task that parses it. A
 * record that breaks a rule is malformed, like an unparsable one.
 *
 * @param completionRequired the reference completion must be present (sft)
 * @param maxPromptChars {@code sparkrl.policy.max-prompt-tokens}: the most characters of a prompt
 * @param vocabulary the policy's fixed vocabulary (a policy read from a file), or null when the
 *     vocabulary is built from the corpus's good records
 * @param unknown {@code sparkrl.tokenizer.unknown}: with {@code replace}, characters outside the
 *     vocabulary map to UNK and are not a problem
 */
public record RecordRules(boolean completionRequired, int maxPromptChars, Tokenizer vocabulary,
    UnknownCharacterMode unknown) implements Serializable {

  public static RecordRules of(TrainerSettings settings, Tokenizer fixed,
      boolean completionRequired) {
    return new RecordRules(completionRequired, settings.policy().maxPromptTokens(), fixed,
        settings.tokenizer().unknown());
  }

  /** What is wrong with the row, or null when nothing is. */
  public String problem(CorpusRow row) {
    String prompt = row.prompt();
    if (prompt.isBlank()) {
      return "empty prompt";
    }
    int chars = prompt.codePointCount(0, prompt.length());
    if (chars > maxPromptChars) {
      return "prompt of " + chars + " characters, more than sparkrl.policy.max-prompt-tokens = "
          + maxPromptChars;
    }
    if (vocabulary != null && unknown == UnknownCharacterMode.ERROR) {
      String outside = outside("prompt", prompt);
      if (outside == null && completionRequired) {
        outside = outside("completion", row.completion());
      }
      return outside;
    }
    return null;
  }

  private String outside(String field, String text) {
    int i = vocabulary.firstUnencodable(text);
    if (i < 0) {
      return null;
    }
    int cp = text.codePoints().skip(i).findFirst().orElseThrow();
    return String.format("%s character '%s' (U+%04X) at index %d is not in the policy's "
        + "vocabulary (sparkrl.tokenizer.unknown = error)", field,
        new String(Character.toChars(cp)), cp, i);
  }
}
