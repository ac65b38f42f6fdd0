package io.sparkrl.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.policy.transformer.TransformerPolicy;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Imported checkpoints against PyTorch ({@code scripts/fixtures/hf_reference.py}): for each tiny
 * checkpoint (Llama GQA untied sharded F32, Qwen2 biases tied BF16, Mistral MQA F16, GPT-2 without
 * the transformer. prefix and with attention buffers F16, GPT-2 with a stored tied lm_head BF16)
 * the per-position next-token log-probs over the whole vocabulary agree to 1e-4 in float32; the
 * memory-mapped and the streamed reads give the same bits; the shape and dtype are the config's.
 */
class HfImportReferenceTest {
  private static final Map<String, SafetensorsDtype> DTYPES = Map.of(
      "llama-gqa-untied-f32", SafetensorsDtype.F32, "qwen2-bias-tied-bf16", SafetensorsDtype.BF16,
      "mistral-mqa-f16", SafetensorsDtype.F16, "gpt2-noprefix-buffers-f16", SafetensorsDtype.F16,
      "gpt2-lmhead-bf16", SafetensorsDtype.BF16);

  static Iterable<String> fixtures() {
    return HfFixtures.NAMES;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void logProbsMatchPyTorch(String name) throws IOException {
    HfFolder folder = HfFolder.local(HfFixtures.folder(name));
    HfConfig config = HfImport.config(folder);
    HfWeights.Loaded mapped = HfWeights.read(folder, config);
    HfWeights.Loaded streamed = HfWeights.read(HfFixtures.streamed(HfFixtures.folder(name)), config);
    assertArrayEquals(mapped.parameters(), streamed.parameters(), "mapped vs streamed");
    assertEquals(DTYPES.get(name), mapped.dtype());
    assertEquals(48, config.shape().vocabularySize());
    HfFixtures.Reference ref = HfFixtures.reference(name);
    double[][][] ours = TransformerPolicy.of(config.shape(), mapped.parameters(), DataType.FLOAT)
        .nextTokenLogProbs(ref.sequences());
    double max = HfFixtures.maxDifference(ours, ref.logProbs());
    System.out.printf("%s: max |log-prob - PyTorch| = %.3g over %d positions%n", name, max,
        ref.sequences().stream().mapToInt(s -> s.length).sum());
    assertTrue(max <= 1e-4, name + ": max |delta log-prob| " + max);
  }
}
