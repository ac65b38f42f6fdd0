package io.sparkrl.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.gradient.LossSettings;
import io.sparkrl.gradient.SequenceBatch;
import io.sparkrl.gradient.TrainingSequence;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PolicySnapshotTest {
  static final Vocabulary VOCAB = Vocabulary.ofCharacters("abc123");

  @Test
  void networkShapeFollowsSettings() {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(5, 7, 3, 1, 256), VOCAB.size(), DataType.FLOAT);
    assertEquals(5, net.getnLayers()); // embedding, 3 LSTM, output
    assertEquals(3, LstmFactory.lstmLayers(net));
    long expected = VOCAB.size() * 5L + (5 * 28 + 7 * 28 + 28) + 2L * (7 * 28 + 7 * 28 + 28)
        + (7L * VOCAB.size() + VOCAB.size());
    assertEquals(expected, net.numParams());
  }

  @Test
  void roundTripsThroughBytesAndJavaSerialization() throws Exception {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(4, 6, 2, 3, 256), VOCAB.size(), DataType.FLOAT);
    PolicySnapshot s = LstmArchitecture.snapshot(net, VOCAB, 17);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    s.writeTo(bytes);
    PolicySnapshot back = PolicySnapshot.readFrom(new ByteArrayInputStream(bytes.toByteArray()));
    assertArrayEquals(s.parameters(), back.parameters());
    assertEquals(17, back.step());
    assertEquals(VOCAB, back.tokenizer());
    assertEquals(s.architecture(), back.architecture());

    ByteArrayOutputStream java = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(java)) {
      out.writeObject(s);
    }
    PolicySnapshot viaJava = (PolicySnapshot) new ObjectInputStream(
        new ByteArrayInputStream(java.toByteArray())).readObject();
    INDArray input = LstmFactory.input(new int[][] {{1, 5, 6, 3, 7}}, 5, DataType.FLOAT);
    assertEquals(net.output(input), ((LstmArchitecture) viaJava.architecture()).network(viaJava.parameters()).output(input));
  }

  /** A policy file as the job wrote it before the policy seam (format 1): it still reads. */
  @Test
  void readsPolicyFilesOfTheFormatBeforeTheSeam() throws Exception {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(4, 6, 2, 3, 256), VOCAB.size(),
        DataType.FLOAT);
    float[] params = net.params().toFloatVector();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.writeInt(0x53524c50);
    out.writeInt(1);
    out.writeLong(9);
    byte[] json = net.getLayerWiseConfigurations().toJson()
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(json.length);
    out.write(json);
    VOCAB.writeTo(out);
    out.writeInt(params.length);
    for (float f : params) {
      out.writeFloat(f);
    }
    out.flush();
    PolicySnapshot old = PolicySnapshot.readFrom(new ByteArrayInputStream(bytes.toByteArray()));
    assertEquals("lstm", old.architecture().name());
    assertEquals(9, old.step());
    assertEquals(VOCAB, old.tokenizer());
    assertArrayEquals(params, old.parameters());
    INDArray input = LstmFactory.input(new int[][] {{1, 5, 6, 3, 7}}, 5, DataType.FLOAT);
    assertEquals(net.output(input),
        ((LstmArchitecture) old.architecture()).network(old.parameters()).output(input));
  }

  @Test
  void rejectsCorruptFiles() {
    assertThrows(IOException.class, () -> PolicySnapshot.readFrom(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})));
  }

  @Test
  void cacheBuildsOncePerThreadAndRefreshesInPlace() {
    MultiLayerNetwork net = LstmFactory.create(new PolicySettings(4, 6, 1, 3, 256), VOCAB.size(), DataType.FLOAT);
    PolicySnapshot s0 = LstmArchitecture.snapshot(net, VOCAB, 0);
    float[] moved = s0.parameters().clone();
    for (int i = 0; i < moved.length; i++) {
      moved[i] += 0.05f * ((i % 7) - 3);
    }
    PolicySnapshot s1 = s0.withParameters(moved, 1);
    PolicyModel a = PolicyCache.model("test", s0);
    PolicyModel b = PolicyCache.model("test", s1);
    assertSame(a, b);
    assertNotSame(a, PolicyCache.model("other-role", s0));
    // the refreshed engine computes with the moved parameters: its log-probs are the fresh ones
    SequenceBatch batch = new SequenceBatch(List.of(TrainingSequence.of(new int[] {1, 5, 3},
        new int[] {6, 2})));
    double[][] cached = b.gradient(LossSettings.Backend.FAST, "test").completionLogProbs(batch);
    double[][] fresh = s1.newModel().gradient(LossSettings.Backend.FAST, "fresh")
        .completionLogProbs(batch);
    assertArrayEquals(fresh[0], cached[0], 0);
    double[][] old = s0.newModel().gradient(LossSettings.Backend.FAST, "old")
        .completionLogProbs(batch);
    assertTrue(Math.abs(old[0][0] - cached[0][0]) + Math.abs(old[0][1] - cached[0][1]) > 0,
        "the cache kept the old parameters");
  }
}
