package io.sparkrl.job.driver;

import io.sparkrl.job.corpus.CorpusRow;
import io.sparkrl.reward.RewardSettings;
import io.sparkrl.reward.program.Interpreter;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;

/**
 * The vocabulary of a fresh policy: every character of the corpus's prompts, answers and reference
 * completions, plus the text the rewards expect a completion to contain. Only the character set
 * (a few hundred code points at most) reaches the driver.
 */
final class CorpusVocabulary {
  private CorpusVocabulary() {}

  static Vocabulary of(JavaRDD<CorpusRow> rows, String extraText) {
    TreeSet<Integer> chars = rows.map(CorpusVocabulary::characters)
        .fold(new TreeSet<>(), (a, b) -> {
          TreeSet<Integer> u = new TreeSet<>(a);
          u.addAll(b);
          return u;
        });
    StringBuilder sb = new StringBuilder(extraText);
    chars.forEach(sb::appendCodePoint);
    return Vocabulary.build(List.of(sb.toString()));
  }

  /**
   * The text the configured rewards look for: the answer prefix, and the stack language's alphabet
   * when a program reward is configured (so a policy can write every program, whatever the corpus).
   */
  static String rewardText(RewardSettings reward) {
    return reward.answerPrefix() + (reward.usesPrograms() ? Interpreter.ALPHABET : "");
  }

  private static TreeSet<Integer> characters(CorpusRow row) {
    TreeSet<Integer> set = new TreeSet<>();
    row.prompt().codePoints().forEach(set::add);
    if (row.answer() != null) { // plain text has no answer
      row.answer().codePoints().forEach(set::add);
    }
    if (row.completion() != null) {
      row.completion().codePoints().forEach(set::add);
    }
    return set;
  }
}
