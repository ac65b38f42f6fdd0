package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparkrl.hf.HfExport;
import io.sparkrl.hf.HfOutput;
import io.sparkrl.hf.SafetensorsDtype;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.policy.transformer.TransformerInit;
import io.sparkrl.policy.transformer.TransformerPolicy;
import io.sparkrl.policy.transformer.TransformerShape;
import io.sparkrl.tokenizer.FramedTokenizer;
import io.sparkrl.tokenizer.Tokenizer;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.bpe.BpeTokenizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A Hugging Face model through Main as a user runs it: train-tokenizer writes a BPE tokenizer of
 * the corpus; a tiny Qwen2-shaped checkpoint (q/k/v biases, tied head, GQA, BF16, a vocabulary
 * padded past the tokenizer's ids) with that tokenizer is the model; sft starts from the folder
 * with a prompt template, reinforce starts from sft's exported hf/ folder; reinforce's hf/ folder
 * imports back to policy.bin's parameters and log-probs exactly; the export command writes any
 * checkpoint. Then the same folder made unusable in each documented way: exit 2 naming the file
 * and the problem, and no run directory created.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class HfModelRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TEMPLATE = "Q: {prompt}\\nA:";
  @TempDir static Path tmp;
  static List<String> corpus;
  static Path model;

  @BeforeAll
  static void setUp() throws IOException {
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    corpus = TestCorpus.write(tmp.resolve("corpus"), 9, 1);
    MainOutcome trained = MainOutcome.run("train-tokenizer", "corpus.train=\"" + corpus.get(0)
        + "\"", "train-tokenizer.vocab-size=300", "train-tokenizer.output=\""
        + tmp.resolve("tokenizer/tokenizer.json") + "\"");
    assertEquals(Main.OK, trained.code(), trained.err());
    assertTrue(trained.out().contains("trained a byte-level BPE tokenizer"), trained.out());
    model = tinyModel(tmp.resolve("model"), tmp.resolve("tokenizer/tokenizer.json"));
  }

  @AfterAll
  static void tearDown() {
    System.clearProperty("spark.master");
    System.clearProperty("spark.ui.enabled");
  }

  /** A Qwen2-shaped checkpoint in BF16 over the tokenizer, 5 ids of padding. */
  static Path tinyModel(Path dir, Path tokenizerJson) throws IOException {
    Tokenizer tokenizer = io.sparkrl.job.hf.TokenizerFiles.read(tokenizerJson.toString(),
        new Configuration());
    int vocabulary = tokenizer.size() + 5;
    TransformerShape shape = TransformerShape.llama(vocabulary, 1, 16, 4, 2, 24, 64, 10000.0, 1e-6,
        true, true);
    PolicySnapshot policy = new PolicySnapshot(new TransformerArchitecture(shape),
        TransformerInit.parameters(shape, 5), FramedTokenizer.of(tokenizer, vocabulary, null,
            FramedTokenizer.tokenizerConfigOf(tokenizer)), 0);
    HfExport.write(policy, SafetensorsDtype.BF16, HfOutput.local(dir));
    return dir;
  }

  private static String[] args(String command, String... more) {
    List<String> a = new java.util.ArrayList<>(List.of(command,
        "corpus.train=\"" + corpus.get(0) + "\"", "corpus.eval=\"" + corpus.get(1) + "\"",
        "run.prompts-per-step=4", "sampling.group-size=2", "sampling.max-new-tokens=4",
        "eval.max-new-tokens=4", "eval.every=0", "monitor.report=false", "run.tasks-per-step=2",
        "sft.batch-size=8", "sft.epochs=1", "sft.max-examples=16", "sft.engine=gradient-sums"));
    a.addAll(List.of(more));
    return a.toArray(new String[0]);
  }

  @Test
  void sftThenReinforceOnAnImportedModelExportAndReimport() throws IOException {
    Path sft = tmp.resolve("runs/sft");
    MainOutcome s = MainOutcome.run(args("sft", "run.init-policy=\"" + model + "\"",
        "run.dir=\"" + sft + "\"", "tokenizer.template=\"" + TEMPLATE + "\""));
    assertEquals(Main.OK, s.code(), s.err());
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json",
        "tokenizer_config.json", "generation_config.json")) {
      assertTrue(Files.isRegularFile(sft.resolve("hf").resolve(f)), f);
    }
    PolicySnapshot sftPolicy = RunDirectory.readPolicy(sft.resolve("policy.bin").toString(),
        new Configuration());
    assertEquals("Q: {prompt}\nA:", FramedTokenizer.templateOf(sftPolicy.tokenizer()));
    PolicySnapshot initial = RunDirectory.readPolicy(model.toString(), new Configuration());
    assertFalse(java.util.Arrays.equals(initial.parameters(), sftPolicy.parameters()),
        "sft changed nothing");

    Path rl = tmp.resolve("runs/rl");
    MainOutcome r = MainOutcome.run(args("reinforce", "run.init-policy=\"" + sft.resolve("hf")
        + "\"", "run.dir=\"" + rl + "\"", "run.steps=2", "tokenizer.template=\"" + TEMPLATE
        + "\""));
    assertEquals(Main.OK, r.code(), r.err());
    PolicySnapshot trained = RunDirectory.readPolicy(rl.resolve("policy.bin").toString(),
        new Configuration());
    PolicySnapshot exported = RunDirectory.readPolicy(rl.resolve("hf").toString(),
        new Configuration());
    assertEquals(trained.architecture(), exported.architecture());
    assertArrayEquals(trained.parameters(), exported.parameters()); // float32 export: bit for bit
    assertEquals(FramedTokenizer.base(trained.tokenizer()),
        FramedTokenizer.base(exported.tokenizer()));
    assertEquals(trained.tokenizer().size(), exported.tokenizer().size());
    TransformerShape shape = ((TransformerArchitecture) trained.architecture()).shape();
    List<int[]> sequences = List.of(
        trained.tokenizer().encodePrompt("How much is 3+4?", UnknownCharacterMode.ERROR),
        exported.tokenizer().encode("The answer is 7.", UnknownCharacterMode.ERROR));
    double[][][] a = TransformerPolicy.of(shape, trained.parameters(), DataType.FLOAT)
        .nextTokenLogProbs(sequences);
    double[][][] b = TransformerPolicy.of(shape, exported.parameters(), DataType.FLOAT)
        .nextTokenLogProbs(sequences);
    assertTrue(java.util.Arrays.deepEquals(a, b), "log-probs differ after export + re-import");
    var config = JSON.readTree(rl.resolve("hf/config.json").toFile());
    assertEquals("Qwen2ForCausalLM", config.get("architectures").get(0).asText());
    assertEquals(shape.vocabularySize(), config.get("vocab_size").asInt());

    MainOutcome e = MainOutcome.run("export", "export.from=\"" + rl + "\"", "export.to=\""
        + tmp.resolve("exported") + "\"", "export.dtype=bfloat16");
    assertEquals(Main.OK, e.code(), e.err());
    assertTrue(e.out().contains("wrote the policy of step 2"), e.out());
    assertEquals("bfloat16", JSON.readTree(tmp.resolve("exported/config.json").toFile())
        .get("torch_dtype").asText());
    PolicySnapshot bf16 = RunDirectory.readPolicy(tmp.resolve("exported").toString(),
        new Configuration());
    for (int i = 0; i < bf16.parameters().length; i++) {
      assertEquals(trained.parameters()[i], bf16.parameters()[i],
          Math.abs(trained.parameters()[i]) / 128 + 1e-30, "parameter " + i);
    }
    MainOutcome again = MainOutcome.run("export", "export.from=\"" + rl + "\"", "export.to=\""
        + tmp.resolve("exported") + "\"");
    assertEquals(Main.BAD_CONFIGURATION, again.code());
    assertTrue(again.err().contains("sparkrl.export.to"), again.err());
  }

  @Test
  void aFreshTransformerTrainsWithTheTrainedTokenizer() throws IOException {
    Path run = tmp.resolve("runs/fresh");
    MainOutcome r = MainOutcome.run(args("reinforce", "run.dir=\"" + run + "\"", "run.steps=1",
        "policy.architecture=transformer", "policy.transformer.layers=1",
        "policy.transformer.model-width=16", "policy.transformer.mlp-width=24",
        "tokenizer.file=\"" + tmp.resolve("tokenizer/tokenizer.json") + "\""));
    assertEquals(Main.OK, r.code(), r.err());
    PolicySnapshot p = RunDirectory.readPolicy(run.resolve("hf").toString(), new Configuration());
    BpeTokenizer expected = BpeTokenizer.read(tmp.resolve("tokenizer/tokenizer.json"));
    assertEquals(expected.size(), p.tokenizer().size());
    assertArrayEquals(expected.encode("How much is 12+7?", UnknownCharacterMode.ERROR),
        p.tokenizer().encode("How much is 12+7?", UnknownCharacterMode.ERROR));
  }

  /** Each broken folder: exit 2 before Spark, the message naming the file and the problem. */
  @Test
  void unusableModelsExitTwoNamingFileAndProblem() throws IOException {
    assertRefused(broken("truncated", d -> {
      byte[] all = Files.readAllBytes(d.resolve("model.safetensors"));
      Files.write(d.resolve("model.safetensors"), java.util.Arrays.copyOf(all, all.length - 64));
    }), "model.safetensors", "truncated");
    assertRefused(broken("lying-header", d -> {
      byte[] all = Files.readAllBytes(d.resolve("model.safetensors"));
      String text = new String(all, StandardCharsets.ISO_8859_1);
      // the first tensor's end offset, one digit changed: the byte ranges no longer tile the data
      int at = text.indexOf("\"data_offsets\":[0,") + "\"data_offsets\":[0,".length();
      all[at] = (byte) (all[at] == '9' ? '8' : all[at] + 1);
      Files.write(d.resolve("model.safetensors"), all);
    }), "model.safetensors", "data_offsets");
    assertRefused(broken("shapes", d -> editConfig(d, "intermediate_size", "32")),
        "model.safetensors", "mlp.gate_proj.weight", "[32, 16]");
    assertRefused(broken("architecture", d -> editConfig(d, "architectures",
        "[\"MambaForCausalLM\"]")), "config.json", "MambaForCausalLM", "unsupported");
    assertRefused(broken("tokenizer", d -> Files.writeString(d.resolve("tokenizer.json"),
        "<html>not json</html>")), "tokenizer.json", "JSON");
    Path badTokenizer = tmp.resolve("bad-tokenizer/tokenizer.json");
    Files.createDirectories(badTokenizer.getParent());
    Files.writeString(badTokenizer, "{\"model\": ");
    Path run = tmp.resolve("runs/refused-tokenizer");
    MainOutcome o = MainOutcome.run(args("reinforce", "run.dir=\"" + run + "\"",
        "policy.architecture=transformer", "tokenizer.file=\"" + badTokenizer + "\""));
    assertEquals(Main.BAD_INPUT, o.code(), o.err());
    assertTrue(o.err().contains(badTokenizer.toString()) && o.err().contains("JSON"), o.err());
    assertFalse(Files.exists(run), "a run directory was created");
    MainOutcome t = MainOutcome.run(args("reinforce", "run.dir=\"" + run + "\"",
        "tokenizer.template=\"no placeholder\""));
    assertEquals(Main.BAD_CONFIGURATION, t.code());
    assertTrue(t.err().contains("sparkrl.tokenizer.template"), t.err());
  }

  private interface Change {
    void apply(Path dir) throws IOException;
  }

  private static Path broken(String name, Change change) throws IOException {
    Path d = tmp.resolve("broken").resolve(name);
    Files.createDirectories(d);
    try (var files = Files.list(model)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, d.resolve(f.getFileName()));
      }
    }
    change.apply(d);
    return d;
  }

  private static void editConfig(Path d, String key, String json) throws IOException {
    var c = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(
        d.resolve("config.json").toFile());
    c.set(key, JSON.readTree(json));
    Files.writeString(d.resolve("config.json"), c.toString());
  }

  private static void assertRefused(Path folder, String... parts) {
    Path run = tmp.resolve("runs/refused-" + folder.getFileName());
    MainOutcome o = MainOutcome.run(args("reinforce", "run.init-policy=\"" + folder + "\"",
        "run.dir=\"" + run + "\""));
    assertEquals(Main.BAD_INPUT, o.code(), o.err());
    assertTrue(o.err().contains(folder.toString()), o.err());
    for (String p : parts) {
      assertTrue(o.err().contains(p), "\"" + p + "\" not in: " + o.err());
    }
    assertFalse(Files.exists(run), "a run directory was created for " + folder);
  }
}
