package io.sparkrl.job.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrl.job.config.JobSettings;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The bundled program task: "Write a program for 7." with reference answer 7 and, as reference
 * completion, a program of the stack language ({@link io.sparkrl.reward.program.Interpreter}) whose
 * result is 7: a literal, a sum, a difference, a product or a quotient, chosen by a seeded random
 * draw. Every target in [0, max-target] appears once; a seeded shuffle holds a fraction out for
 * evaluation. With {@code program-runs} the policy learns to write programs that run; with
 * {@code program-output}, programs that compute the target.
 */
public final class ProgramTask {
  private ProgramTask() {}

  public static ArithmeticTask.Split generate(JobSettings.Programs s, JobSettings.Corpus fields) {
    List<Integer> targets = new ArrayList<>();
    for (int n = 0; n <= s.maxTarget(); n++) {
      targets.add(n);
    }
    Random random = new Random(s.seed());
    Collections.shuffle(targets, random);
    int held = Math.max(1, (int) Math.round(targets.size() * s.evalFraction()));
    ObjectMapper json = new ObjectMapper();
    List<String> train = new ArrayList<>();
    List<String> eval = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      int n = targets.get(i);
      ObjectNode row = json.createObjectNode();
      row.put(fields.promptField(), "Write a program for " + n + ".");
      row.put(fields.answerField(), Integer.toString(n));
      row.put(fields.completionField(), program(n, random));
      (i < held ? eval : train).add(row.toString());
    }
    return new ArithmeticTask.Split(train, eval);
  }

  /** A program whose result is n >= 0, of a randomly drawn shape. */
  static String program(int n, Random random) {
    int a = random.nextInt(n + 1);
    int b = 1 + random.nextInt(9);
    return switch (random.nextInt(5)) {
      case 0 -> Integer.toString(n);
      case 1 -> a + " " + (n - a) + "+";
      case 2 -> (n + b) + " " + b + "-";
      case 3 -> n % b == 0 ? b + " " + (n / b) + "*" : n + " 1*";
      default -> (n * b) + " " + b + "/";
    };
  }
}
