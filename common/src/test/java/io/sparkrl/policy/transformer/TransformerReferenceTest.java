package io.sparkrl.policy.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The forward pass against an independent PyTorch implementation
 * ({@code scripts/fixtures/transformer_reference.py}, float64 reference on float32 parameters):
 * the layout's tensor names and shapes equal the reference's state-dict, and the log-softmax over
 * the vocabulary at every position of three sequences (lengths 5, 9, 12, run as one padded batch)
 * agrees to 1e-4 in FLOAT and 1e-9 in DOUBLE.
 */
class TransformerReferenceTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Fixture(TransformerShape shape, JsonNode doc, float[] parameters, List<int[]> sequences,
      double[][][] logProbs) {}

  static Fixture load(String name) throws IOException {
    JsonNode doc;
    try (InputStream in = resource(name + ".json")) {
      doc = JSON.readTree(in);
    }
    TransformerShape shape = TransformerShape.fromJson(doc.get("shape").toString());
    byte[] bytes;
    try (InputStream in = resource(doc.get("parameters").asText())) {
      bytes = in.readAllBytes();
    }
    float[] parameters = new float[bytes.length / 4];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(parameters);
    List<int[]> sequences = new ArrayList<>();
    for (JsonNode s : doc.get("sequences")) {
      int[] tokens = new int[s.size()];
      for (int t = 0; t < tokens.length; t++) {
        tokens[t] = s.get(t).asInt();
      }
      sequences.add(tokens);
    }
    JsonNode lp = doc.get("log_probs");
    double[][][] logProbs = new double[lp.size()][][];
    for (int i = 0; i < logProbs.length; i++) {
      logProbs[i] = new double[lp.get(i).size()][];
      for (int t = 0; t < logProbs[i].length; t++) {
        JsonNode row = lp.get(i).get(t);
        logProbs[i][t] = new double[row.size()];
        for (int j = 0; j < row.size(); j++) {
          logProbs[i][t][j] = row.get(j).asDouble();
        }
      }
    }
    return new Fixture(shape, doc, parameters, sequences, logProbs);
  }

  private static InputStream resource(String file) {
    InputStream in = TransformerReferenceTest.class.getResourceAsStream("/transformer/" + file);
    if (in == null) {
      throw new IllegalStateException("missing test resource transformer/" + file);
    }
    return in;
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "llama-tied", "gpt2"})
  void layoutIsTheReferenceStateDict(String name) throws IOException {
    Fixture f = load(name);
    TransformerLayout layout = TransformerLayout.of(f.shape());
    JsonNode tensors = f.doc().get("tensors");
    assertEquals(tensors.size(), layout.tensors().size());
    for (int k = 0; k < tensors.size(); k++) {
      TransformerLayout.Tensor t = layout.tensors().get(k);
      assertEquals(tensors.get(k).get("name").asText(), t.name());
      int[] expected = new int[tensors.get(k).get("shape").size()];
      for (int j = 0; j < expected.length; j++) {
        expected[j] = tensors.get(k).get("shape").get(j).asInt();
      }
      assertArrayEquals(expected, t.shape(), t.name());
    }
    assertEquals(layout.parameterCount(), f.parameters().length);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "llama-tied", "gpt2"})
  void logProbsEqualPyTorchInFloat(String name) throws IOException {
    assertAgreement(name, DataType.FLOAT, 1e-4);
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-gqa-bias-untied", "llama-tied", "gpt2"})
  void logProbsEqualPyTorchInDouble(String name) throws IOException {
    assertAgreement(name, DataType.DOUBLE, 1e-9);
  }

  private static void assertAgreement(String name, DataType type, double tolerance)
      throws IOException {
    Fixture f = load(name);
    double[][][] ours = TransformerPolicy.of(f.shape(), f.parameters(), type)
        .nextTokenLogProbs(f.sequences());
    double worst = 0;
    double spread = 0;
    for (int i = 0; i < ours.length; i++) {
      assertEquals(f.logProbs()[i].length, ours[i].length);
      for (int t = 0; t < ours[i].length; t++) {
        for (int j = 0; j < ours[i][t].length; j++) {
          worst = Math.max(worst, Math.abs(ours[i][t][j] - f.logProbs()[i][t][j]));
          spread = Math.max(spread, Math.abs(f.logProbs()[i][t][j] + Math.log(
              f.shape().vocabularySize())));
        }
      }
    }
    assertTrue(spread > 0.5, "reference distributions are near uniform: nothing tested");
    System.out.printf("%s %s: max |log p - torch| = %.3g%n", name, type, worst);
    assertTrue(worst <= tolerance, name + " in " + type + ": max |log p - torch| = " + worst);
  }
}
