package io.sparkrl.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.sparkrl.tokenizer.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class PolicySnapshotTest {
  static final Vocabulary VOCAB = Vocabulary.ofCharacters("abc123");

  @Test
  void networkShapeFollowsSettings() {
    MultiLayerNetwork net = PolicyFactory.create(new PolicySettings(5, 7, 3, 1, 256), VOCAB.size(), DataType.FLOAT);
    assertEquals(5, net.getnLayers()); // embedding, 3 LSTM, output
    assertEquals(3, PolicyFactory.lstmLayers(net));
    long expected = VOCAB.size() * 5L + (5 * 28 + 7 * 28 + 28) + 2L * (7 * 28 + 7 * 28 + 28)
        + (7L * VOCAB.size() + VOCAB.size());
    assertEquals(expected, net.numParams());
  }

  @Test
  void roundTripsThroughBytesAndJavaSerialization() throws Exception {
    MultiLayerNetwork net = PolicyFactory.create(new PolicySettings(4, 6, 2, 3, 256), VOCAB.size(), DataType.FLOAT);
    PolicySnapshot s = PolicySnapshot.of(net, VOCAB, 17);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    s.writeTo(bytes);
    PolicySnapshot back = PolicySnapshot.readFrom(new ByteArrayInputStream(bytes.toByteArray()));
    assertArrayEquals(s.parameters(), back.parameters());
    assertEquals(17, back.step());
    assertEquals(VOCAB, back.vocabulary());
    assertEquals(s.configurationJson(), back.configurationJson());

    ByteArrayOutputStream java = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(java)) {
      out.writeObject(s);
    }
    PolicySnapshot viaJava = (PolicySnapshot) new ObjectInputStream(
        new ByteArrayInputStream(java.toByteArray())).readObject();
    INDArray input = PolicyFactory.input(new int[][] {{1, 5, 6, 3, 7}}, 5, DataType.FLOAT);
    assertEquals(net.output(input), viaJava.newNetwork().output(input));
  }

  @Test
  void rejectsCorruptFiles() {
    assertThrows(IOException.class, () -> PolicySnapshot.readFrom(new ByteArrayInputStream(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})));
  }

  @Test
  void cacheBuildsOncePerThreadAndRefreshesInPlace() {
    MultiLayerNetwork net = PolicyFactory.create(new PolicySettings(4, 6, 1, 3, 256), VOCAB.size(), DataType.FLOAT);
    PolicySnapshot s0 = PolicySnapshot.of(net, VOCAB, 0);
    float[] moved = s0.parameters().clone();
    moved[0] += 1f;
    PolicySnapshot s1 = s0.withParameters(moved, 1);
    MultiLayerNetwork a = PolicyCache.network("test", s0);
    MultiLayerNetwork b = PolicyCache.network("test", s1);
    assertSame(a, b);
    assertEquals(moved[0], b.params().getFloat(0));
    assertNotSame(a, PolicyCache.network("other-role", s0));
    assertEquals(moved[0], PolicyCache.network("test", s1).params().getFloat(0));
  }
}
