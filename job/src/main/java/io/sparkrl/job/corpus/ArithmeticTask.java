package io.sparkrl.job.corpus;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sparkrl.job.config.JobSettings;
import java.io.IOException;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The bundled task: "How much is 12+7?" answered by "The answer is 19.".
 * Every operand pair (a in [0, max-operand], b in [0, max-second-operand]) appears once; a seeded shuffle holds a fraction of the
 * pairs out for evaluation, so held-out questions are never trained on. The reference completion
 * of "How much is a+b?" uses phrasing number (a mod the number of phrasings): as if a different
 * annotator wrote each kind of question, a rule the policy can learn from the prompt.
 */
public final class ArithmeticTask {
  private ArithmeticTask() {}

  public record Split(List<String> train, List<String> eval) {}

  public static Split generate(JobSettings.Arithmetic s, JobSettings.Corpus fields) {
    List<int[]> pairs = new ArrayList<>();
    for (int a = 0; a <= s.maxOperand(); a++) {
      for (int b = 0; b <= s.secondOperandLimit(); b++) {
        pairs.add(new int[] {a, b});
      }
    }
    Collections.shuffle(pairs, new Random(s.seed()));
    int held = Math.max(1, (int) Math.round(pairs.size() * s.evalFraction()));
    ObjectMapper json = new ObjectMapper();
    List<String> train = new ArrayList<>();
    List<String> eval = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      int a = pairs.get(i)[0];
      int b = pairs.get(i)[1];
      ObjectNode row = json.createObjectNode();
      row.put(fields.promptField(), "How much is " + a + "+" + b + "?");
      row.put(fields.answerField(), Integer.toString(a + b));
      List<String> phrasings = s.phrasings();
      String phrasing = phrasings.get(a % phrasings.size());
      row.put(fields.completionField(), phrasing.replace("%d", Integer.toString(a + b)));
      (i < held ? eval : train).add(row.toString());
    }
    return new Split(train, eval);
  }

  /** Writes {@code dir}/train.jsonl and {@code dir}/eval.jsonl; returns their URIs. */
  public static List<String> write(Split split, String dir, Configuration hadoop) throws IOException {
    Path root = new Path(dir);
    FileSystem fs = root.getFileSystem(hadoop);
    return List.of(writeLines(fs, new Path(root, "train.jsonl"), split.train()),
        writeLines(fs, new Path(root, "eval.jsonl"), split.eval()));
  }

  private static String writeLines(FileSystem fs, Path file, List<String> lines) throws IOException {
    try (Writer w = new OutputStreamWriter(fs.create(file, true), StandardCharsets.UTF_8)) {
      for (String line : lines) {
        w.write(line);
        w.write('\n');
      }
    }
    return fs.makeQualified(file).toString();
  }
}
