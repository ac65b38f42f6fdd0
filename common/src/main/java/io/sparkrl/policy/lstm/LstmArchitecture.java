package io.sparkrl.policy.lstm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.policy.PolicyArchitecture;
import io.sparkrl.policy.PolicyModel;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The character LSTM ({@link LstmFactory}): its shape is the DL4J network configuration (JSON).
 * In a checkpoint it is a DL4J model file ({@code policy.zip}, loadable with
 * {@code MultiLayerNetwork.load(file, false)}) plus {@code vocabulary.json}.
 *
 * @param configurationJson DL4J's {@link MultiLayerConfiguration} JSON
 */
public record LstmArchitecture(String configurationJson, int parameterCount, int vocabularySize)
    implements PolicyArchitecture {
  public static final String NAME = "lstm";
  public static final String MODEL_FILE = "policy.zip";
  public static final String VOCABULARY_FILE = "vocabulary.json";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The architecture of a built network. */
  public static LstmArchitecture of(MultiLayerNetwork net) {
    int vocabulary = (int) net.getLayer(0).getParam("W").size(0);
    return new LstmArchitecture(net.getLayerWiseConfigurations().toJson(), (int) net.numParams(),
        vocabulary);
  }

  /** The architecture of a configuration JSON (builds the network once to count). */
  public static LstmArchitecture fromJson(String configurationJson) {
    return of(LstmFactory.initialised(MultiLayerConfiguration.fromJson(configurationJson)));
  }

  /** A fresh policy of {@code settings}' shape over the tokenizer (a character vocabulary). */
  public static PolicySnapshot fresh(PolicySettings settings, Tokenizer tokenizer) {
    return snapshot(LstmFactory.create(settings, tokenizer.size(), DataType.FLOAT), tokenizer, 0);
  }

  /** A snapshot of a built network's parameters. */
  public static PolicySnapshot snapshot(MultiLayerNetwork net, Tokenizer tokenizer, long step) {
    return new PolicySnapshot(of(net), net.params().castTo(DataType.FLOAT).toFloatVector(),
        tokenizer, step);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String shapeJson() {
    return configurationJson;
  }

  public MultiLayerConfiguration configuration() {
    return MultiLayerConfiguration.fromJson(configurationJson);
  }

  /** A new DL4J network holding {@code parameters}. */
  public MultiLayerNetwork network(float[] parameters) {
    MultiLayerNetwork net = LstmFactory.initialised(configuration());
    LstmModel.assign(net, parameters);
    return net;
  }

  @Override
  public PolicyModel newModel(float[] parameters) {
    return new LstmModel(network(parameters), parameters);
  }

  @Override
  public Map<String, byte[]> checkpointFiles(PolicySnapshot policy) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    ByteArrayOutputStream model = new ByteArrayOutputStream();
    ModelSerializer.writeModel(network(policy.parameters()), model, false);
    files.put(MODEL_FILE, model.toByteArray());
    files.put(VOCABULARY_FILE, vocabularyFile(vocabulary(policy.tokenizer())));
    return files;
  }

  /** The policy of a checkpoint's {@code policy.zip} and {@code vocabulary.json}. */
  public static PolicySnapshot readCheckpoint(Map<String, byte[]> files, long step)
      throws IOException {
    byte[] vocabulary = files.get(VOCABULARY_FILE);
    if (vocabulary == null) {
      throw new IOException("an LSTM checkpoint needs " + VOCABULARY_FILE + " beside " + MODEL_FILE);
    }
    JsonNode v = JSON.readTree(new String(vocabulary, StandardCharsets.UTF_8)).get("characters");
    if (v == null || !v.isTextual()) {
      throw new IOException(VOCABULARY_FILE + " lacks \"characters\"");
    }
    MultiLayerNetwork net = ModelSerializer.restoreMultiLayerNetwork(
        new ByteArrayInputStream(files.get(MODEL_FILE)), false);
    return snapshot(net, Vocabulary.ofCharacters(v.asText()), step);
  }

  private static byte[] vocabularyFile(Vocabulary vocabulary) throws IOException {
    var root = JSON.createObjectNode();
    root.put("characters", vocabulary.characters());
    var specials = root.putArray("special_tokens");
    for (int id = 0; id < Vocabulary.SPECIALS; id++) {
      specials.add(vocabulary.tokenName(id));
    }
    root.put("note", "token id = index in special_tokens, then special_tokens.length + index of "
        + "the character in characters");
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
  }

  private static Vocabulary vocabulary(Tokenizer tokenizer) {
    if (tokenizer instanceof Vocabulary v) {
      return v;
    }
    throw new IllegalArgumentException("the LSTM policy reads characters: its tokenizer must be the"
        + " character vocabulary, not " + tokenizer.kind());
  }

  @Override
  public String toString() {
    return "lstm(" + parameterCount + " parameters, vocabulary " + vocabularySize + ")";
  }
}
