package io.sparkrl.job.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrl.job.config.JobSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The bundled sorting task: "Sort the digits 52813." answered by "The answer is 12358.". Each
 * question is a string of {@code length} digits from 1 to 9 (no 0, so the sorted answer never
 * starts with one and the numeric answer-match check compares every digit); {@code count}
 * distinct strings are drawn by a seeded generator and a fraction held out for evaluation. A held-out
 * string is never trained on, and with 9^length possible strings most of its digit multisets are
 * new too: the policy has to sort, not recall.
 */
public final class SortingTask {
  private SortingTask() {}

  public static ArithmeticTask.Split generate(JobSettings.Sorting s, JobSettings.Corpus fields) {
    Random random = new Random(s.seed());
    Set<String> drawn = new LinkedHashSet<>();
    while (drawn.size() < s.count()) {
      char[] digits = new char[s.length()];
      for (int i = 0; i < digits.length; i++) {
        digits[i] = (char) ('1' + random.nextInt(9));
      }
      drawn.add(new String(digits));
    }
    int held = Math.max(1, (int) Math.round(drawn.size() * s.evalFraction()));
    ObjectMapper json = new ObjectMapper();
    List<String> train = new ArrayList<>();
    List<String> eval = new ArrayList<>();
    int i = 0;
    for (String question : drawn) {
      char[] sorted = question.toCharArray();
      Arrays.sort(sorted);
      String answer = new String(sorted);
      ObjectNode row = json.createObjectNode();
      row.put(fields.promptField(), "Sort the digits " + question + ".");
      row.put(fields.answerField(), answer);
      row.put(fields.completionField(), "The answer is " + answer + ".");
      (i++ < held ? eval : train).add(row.toString());
    }
    return new ArithmeticTask.Split(train, eval);
  }
}
