package io.sparkrl.job.output;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.step.CompletionSample;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * completions.jsonl: what the policy actually wrote. One JSON object per completion of the logged
 * prompt groups: step, policy_version, prompt_id, sample (0..G−1), prompt, reference, completion,
 * reward, rewards (each function's unweighted score), advantage, length, finished. Whole groups
 * are logged, so a group's advantages can be recomputed from its rewards.
 */
public final class CompletionsLog implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final FSDataOutputStream out;
  private final List<String> rewardFunctions;

  private CompletionsLog(FSDataOutputStream out, List<String> rewardFunctions) {
    this.out = out;
    this.rewardFunctions = List.copyOf(rewardFunctions);
  }

  /** Opens {@code file}, keeping the lines of the steps below {@code firstStep} (a resume). */
  public static CompletionsLog open(FileSystem fs, Path file, List<String> rewardFunctions,
      long firstStep) throws IOException {
    List<String> lines = KeptLines.read(fs, file);
    FSDataOutputStream out = fs.create(file, true);
    for (String line : lines) {
      if (JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) < firstStep) {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    out.hflush();
    return new CompletionsLog(out, rewardFunctions);
  }

  /**
   * @param step the step whose completions these are: the version of the policy that sampled them
   * @param samples whole groups, by prompt id; at most {@code prompts} of them are written
   */
  public void append(long step, List<CompletionSample> samples, int prompts) throws IOException {
    for (CompletionSample s : samples.subList(0, Math.min(prompts, samples.size()))) {
      for (int i = 0; i < s.rewards().length; i++) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("step", step);
        r.put("policy_version", step);
        r.put("prompt_id", s.promptId());
        r.put("sample", i);
        r.put("prompt", s.prompt());
        r.put("reference", s.reference());
        r.put("completion", s.completions().get(i));
        r.put("reward", s.rewards()[i]);
        Map<String, Object> scores = new LinkedHashMap<>();
        for (int k = 0; k < rewardFunctions.size() && k < s.functionScores()[i].length; k++) {
          scores.put(rewardFunctions.get(k), s.functionScores()[i][k]);
        }
        r.put("rewards", scores);
        r.put("advantage", s.advantages() == null ? null : s.advantages()[i]);
        r.put("length", s.lengths()[i]);
        r.put("finished", s.finished()[i]);
        out.write((JSON.writeValueAsString(r) + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    out.hflush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
