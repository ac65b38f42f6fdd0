package io.sparkrl.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.transformer.TransformerArchitecture;
import io.sparkrl.policy.transformer.TransformerPolicy;
import io.sparkrl.tokenizer.FramedTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The Hugging Face path on HDFS (an in-process MiniDFSCluster): the tokenizer trained from an
 * hdfs:// corpus into hdfs://, the model folder imported from hdfs:// (streamed, not mapped), sft
 * writing its hf/ folder to hdfs://, and that folder imported back to policy.bin's parameters and
 * log-probs.
 */
@Tag("slow") // integration-test phase: mvn verify, not mvn test
class HfHdfsRunTest {
  @TempDir static Path tmp;
  static MiniDFSCluster hdfs;
  static String nameNode;

  @BeforeAll
  static void startHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("dfs").toString());
    hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    hdfs.waitActive();
    nameNode = "hdfs://localhost:" + hdfs.getNameNodePort();
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown();
    }
  }

  @Test
  void importsTrainsAndExportsOnHdfs() throws Exception {
    FileSystem fs = hdfs.getFileSystem();
    List<String> local = TestCorpus.write(tmp.resolve("corpus"), 9, 1);
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(0)),
        new org.apache.hadoop.fs.Path("/data/train.jsonl"));
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.get(1)),
        new org.apache.hadoop.fs.Path("/data/eval.jsonl"));
    System.setProperty("spark.master", "local[2]");
    System.setProperty("spark.ui.enabled", "false");
    try {
      MainOutcome t = MainOutcome.run("train-tokenizer", "corpus.train=\"" + nameNode
          + "/data/train.jsonl\"", "train-tokenizer.vocab-size=290", "train-tokenizer.output=\""
          + nameNode + "/tokenizer/tokenizer.json\"");
      assertEquals(Main.OK, t.code(), t.err());
      Path tokenizer = tmp.resolve("tokenizer");
      Files.createDirectories(tokenizer);
      fs.copyToLocalFile(new org.apache.hadoop.fs.Path("/tokenizer/tokenizer.json"),
          new org.apache.hadoop.fs.Path(tokenizer.resolve("tokenizer.json").toString()));
      fs.copyToLocalFile(new org.apache.hadoop.fs.Path("/tokenizer/tokenizer_config.json"),
          new org.apache.hadoop.fs.Path(tokenizer.resolve("tokenizer_config.json").toString()));
      Path model = HfModelRunTest.tinyModel(tmp.resolve("model"), tokenizer.resolve(
          "tokenizer.json"));
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(model.toString()),
          new org.apache.hadoop.fs.Path("/models/tiny"));
      String run = nameNode + "/runs/sft";
      MainOutcome s = MainOutcome.run("sft", "corpus.train=\"" + nameNode + "/data/train.jsonl\"",
          "corpus.eval=\"" + nameNode + "/data/eval.jsonl\"", "run.dir=\"" + run + "\"",
          "run.init-policy=\"" + nameNode + "/models/tiny\"", "sft.engine=gradient-sums",
          "sft.epochs=1", "sft.batch-size=8", "sft.max-examples=16", "eval.max-new-tokens=4",
          "run.tasks-per-step=2");
      assertEquals(Main.OK, s.code(), s.err());
      for (String f : List.of("config.json", "model.safetensors", "tokenizer.json",
          "tokenizer_config.json", "generation_config.json")) {
        assertTrue(fs.isFile(new org.apache.hadoop.fs.Path("/runs/sft/hf/" + f)), f);
      }
      PolicySnapshot trained = RunDirectory.readPolicy(run + "/policy.bin", fs.getConf());
      PolicySnapshot exported = RunDirectory.readPolicy(run + "/hf", fs.getConf());
      assertArrayEquals(trained.parameters(), exported.parameters());
      assertEquals(FramedTokenizer.base(trained.tokenizer()),
          FramedTokenizer.base(exported.tokenizer()));
      var shape = ((TransformerArchitecture) trained.architecture()).shape();
      List<int[]> sequences = List.of(new int[] {1, 2, 3, 40, 50, 60}, new int[] {7, 8});
      assertTrue(java.util.Arrays.deepEquals(
          TransformerPolicy.of(shape, trained.parameters(), DataType.FLOAT)
              .nextTokenLogProbs(sequences),
          TransformerPolicy.of(shape, exported.parameters(), DataType.FLOAT)
              .nextTokenLogProbs(sequences)));
    } finally {
      System.clearProperty("spark.master");
      System.clearProperty("spark.ui.enabled");
    }
  }
}
