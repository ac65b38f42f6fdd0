package io.sparkrl.policy.transformer;

import io.sparkrl.gradient.GradientSum;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.sampling.Completion;
import io.sparkrl.sampling.Prompt;
import io.sparkrl.sampling.Sampler;
import io.sparkrl.sampling.SamplingSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A measurement, not a test (runs only with {@code -Dsparkrl.bench=true}): sampling tokens/s and
 * forward+backward time of shape "tiny" (V 512, d 128, 4 layers, 4 heads, SwiGLU 384; 16 rows =
 * 4 prompts x G 4, 16-token prompts, 32 new tokens) in FLOAT on the surefire JVM
 * (OMP_NUM_THREADS=1).
 */
@EnabledIfSystemProperty(named = "sparkrl.bench", matches = "true")
class TransformerBenchmark {
  @Test
  void tiny() {
    TransformerShape shape = TransformerShape.llama(512, 4, 128, 4, 4, 384, 256, 10000, 1e-5,
        false, true);
    TransformerPolicy policy =
        TransformerPolicy.of(shape, TransformerInit.parameters(shape, 1), DataType.FLOAT);
    SplittableRandom random = new SplittableRandom(2);
    List<Prompt> prompts = new ArrayList<>();
    for (int p = 0; p < 4; p++) {
      prompts.add(new Prompt(p, random.ints(16, 3, 512).toArray()));
    }
    Sampler sampler = new Sampler(policy.stepper(32), new SamplingSettings(4, 1.0, 0, 1.0, 32));
    List<Completion> out = null;
    for (int warm = 0; warm < 2; warm++) {
      out = sampler.sample(prompts, 1, warm);
    }
    int reps = 3;
    long tokens = 0;
    long t0 = System.nanoTime();
    for (int r = 0; r < reps; r++) {
      out = sampler.sample(prompts, 1, 10 + r);
      for (Completion c : out) {
        tokens += c.tokens().length;
      }
    }
    double sampleSeconds = (System.nanoTime() - t0) / 1e9 / reps;
    System.out.printf("sampling: %.1f tokens/s (%d tokens in %.3f s per call of 16 rows)%n",
        tokens / reps / sampleSeconds, tokens / reps, sampleSeconds);

    List<TrainingSequence> sequences = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      int[] completion = random.ints(32, 3, 512).toArray();
      sequences.add(TrainingSequence.of(prompts.get(i / 4).tokens(), completion));
    }
    double[] advantages = random.doubles(16, -1, 1).toArray();
    GradientSum sum = null;
    for (int warm = 0; warm < 2; warm++) {
      sum = TransformerPolicy.of(shape, TransformerInit.parameters(shape, 1), DataType.FLOAT)
          .sum(new SequenceBatch(sequences, DataType.FLOAT), advantages, null, null);
    }
    t0 = System.nanoTime();
    for (int r = 0; r < reps; r++) {
      sum = policy.sum(new SequenceBatch(sequences, DataType.FLOAT), advantages, null, null);
    }
    double seconds = (System.nanoTime() - t0) / 1e9 / reps;
    System.out.printf("forward+backward: %.3f s for 16 x 48 tokens (%d parameters, loss %.3f)%n",
        seconds, shape.vocabularySize() * 0 + TransformerLayout.of(shape).parameterCount(),
        sum.lossSum());
  }
}
