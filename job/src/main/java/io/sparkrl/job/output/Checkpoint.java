package io.sparkrl.job.output;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.advantage.EmaBaseline;
import io.sparkrl.optim.AdamW;
import io.sparkrl.optim.AdamWState;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * Everything the next step reads: parameters (with vocabulary and step), AdamW moments and step,
 * and the EMA baseline. The data cursor is a function of the step (the prompt schedule depends only
 * on seed, corpus size and step), so a resumed run continues bit-identically.
 *
 * <p>On disk the policy is a DeepLearning4J model file ({@code policy.zip}, loadable with
 * {@code MultiLayerNetwork.load(file, false)} or {@code ModelSerializer}) plus
 * {@code vocabulary.json}; the optimizer and baseline are small binary files.
 */
public record Checkpoint(PolicySnapshot policy, AdamWState optimizer, EmaBaseline ema) {
  static final String POLICY = "policy.zip";
  static final String VOCABULARY = "vocabulary.json";
  static final String OPTIMIZER = "optimizer.bin";
  static final String BASELINE = "baseline.bin";
  static final String CONFIG = "config.conf";
  private static final ObjectMapper JSON = new ObjectMapper();

  public static Checkpoint of(PolicySnapshot policy, AdamW optimizer, EmaBaseline ema) {
    return new Checkpoint(policy, optimizer.state(), ema);
  }

  byte[] modelFile() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ModelSerializer.writeModel(policy.newNetwork(), out, false);
    return out.toByteArray();
  }

  byte[] vocabularyFile() throws IOException {
    var root = JSON.createObjectNode();
    root.put("characters", policy.vocabulary().characters());
    var specials = root.putArray("special_tokens");
    for (int id = 0; id < Vocabulary.SPECIALS; id++) {
      specials.add(policy.vocabulary().tokenName(id));
    }
    root.put("note", "token id = index in special_tokens, then special_tokens.length + index of "
        + "the character in characters");
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  byte[] optimizerFile() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    optimizer.writeTo(out);
    out.flush();
    return bytes.toByteArray();
  }

  byte[] baselineFile() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeDouble(ema.value());
    out.writeBoolean(ema.initialized());
    out.flush();
    return bytes.toByteArray();
  }

  static PolicySnapshot readPolicy(byte[] model, byte[] vocabulary, long step) throws IOException {
    JsonNode v = JSON.readTree(new String(vocabulary, StandardCharsets.UTF_8)).get("characters");
    if (v == null || !v.isTextual()) {
      throw new InvalidCheckpointException(VOCABULARY + " lacks \"characters\"");
    }
    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(
        new ByteArrayInputStream(model), false);
    return PolicySnapshot.of(net, Vocabulary.ofCharacters(v.asText()), step);
  }

  static AdamWState readOptimizer(byte[] bytes) throws IOException {
    return AdamWState.readFrom(new DataInputStream(new ByteArrayInputStream(bytes)));
  }

  static EmaBaseline readBaseline(byte[] bytes) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
    return new EmaBaseline(in.readDouble(), in.readBoolean());
  }
}
