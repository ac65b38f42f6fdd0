package io.sparkrl.job.driver;

import io.sparkrl.job.config.JobConfig;
import io.sparkrl.job.config.JobSettings;
import io.sparkrl.job.corpus.CorpusRow;
import io.sparkrl.job.corpus.CorpusSource;
import io.sparkrl.job.corpus.LoadedCorpus;
import io.sparkrl.job.corpus.RecordRules;
import io.sparkrl.job.executor.SftExample;
import io.sparkrl.job.output.RunDirectory;
import io.sparkrl.policy.Architectures;
import io.sparkrl.policy.PolicySnapshot;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.step.TrainerSettings;
import io.sparkrl.tokenizer.UnknownCharacterMode;
import io.sparkrl.tokenizer.Vocabulary;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The supervised warm start (step 0 of the recipe, docs/architecture.md) for the LSTM: maximum
 * likelihood of the reference completions, trained with DL4J Spark's parameter averaging, then written as a policy file a
 * REINFORCE run starts from.
 *
 * <p>The training master uses the Direct approach (no export to a shared filesystem, so it works
 * on any cluster) and sends Adam's state back with the parameters (saveUpdater), so Adam's moments
 * survive each averaging round.
 */
public final class Dl4jSparkSft {
  private static final Logger LOG = LoggerFactory.getLogger(Dl4jSparkSft.class);

  private Dl4jSparkSft() {}

  public static PolicySnapshot run(JavaSparkContext sc, JobConfig config, RunDirectory dir)
      throws IOException {
    JobSettings job = config.job();
    TrainerSettings settings = config.trainer();
    UnknownCharacterMode unknown = settings.tokenizer().unknown();
    PolicySnapshot fixed = job.run().initPolicy().isEmpty() ? null
        : RunDirectory.readPolicy(job.run().initPolicy(), sc.hadoopConfiguration());
    LoadedCorpus corpus = CorpusSource.resolve(job.corpus().train(), job.corpus(),
        job.reading().format(), RecordRules.of(settings, fixed == null ? null : fixed.tokenizer(),
            true), sc.hadoopConfiguration()).load(sc, job.reading().malformed());
    JavaRDD<CorpusRow> rows = corpus.rows();
    int max = job.sft().maxExamples();
    if (max > 0) {
      rows = rows.zipWithIndex().filter(t -> t._2() < max).map(t -> t._1());
    }
    rows = rows.persist(StorageLevel.MEMORY_AND_DISK());
    PolicySnapshot initial = fixed == null
        ? fresh(settings, CorpusVocabulary.of(rows, CorpusVocabulary.rewardText(settings.reward())))
        : fixed;
    Vocabulary vocabulary = (Vocabulary) initial.tokenizer();
    int length = rows.map(r -> SftExample.tokens(vocabulary, unknown, r).length - 1)
        .fold(1, Math::max);
    JavaRDD<DataSet> examples = rows.map(new SftExample(vocabulary, unknown, length));
    if (job.run().partitions() > 0) {
      examples = examples.repartition(job.run().partitions());
    }
    examples = examples.persist(StorageLevel.MEMORY_AND_DISK());
    long n = examples.count();
    rows.unpersist(false); // read once for the vocabulary, the length and the examples
    corpus.release();

    Evaluator evaluator = Evaluator.heldOut(sc, config, vocabulary);
    LOG.info("sft: {} examples of {} tokens, {} parameters, {} epochs", n, length,
        initial.parameters().length, job.sft().epochs());

    MultiLayerNetwork net = withAdam(((LstmArchitecture) initial.architecture())
        .network(initial.parameters()), job.sft().learningRate());
    ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(1)
        .batchSizePerWorker(job.sft().batchSizePerWorker())
        .averagingFrequency(job.sft().averagingFrequency())
        .workerPrefetchNumBatches(0)
        .saveUpdater(true)
        .rddTrainingApproach(RDDTrainingApproach.Direct)
        .storageLevel(null)
        .rngSeed(job.run().seed())
        .build();
    SparkDl4jMultiLayer spark = new SparkDl4jMultiLayer(sc, net, master);
    dir.openMetrics(0);
    PolicySnapshot trained = initial;
    for (int epoch = 1; epoch <= job.sft().epochs(); epoch++) {
      long t0 = System.nanoTime();
      net.setLearningRate(job.sft().learningRate(epoch)); // workers get the driver's configuration
      spark.fit(examples);
      trained = initial.withParameters(
          net.params().castTo(DataType.FLOAT).toFloatVector(), 0);
      double ms = (System.nanoTime() - t0) / 1e6;
      boolean evaluate = evaluator != null && (epoch == job.sft().epochs()
          || job.sft().stopsAtAccuracy()
          || job.eval().every() > 0 && epoch % job.eval().every() == 0);
      Double accuracy = evaluate ? evaluator.accuracy(trained) : null;
      boolean reached = accuracy != null && job.sft().stopsAtAccuracy()
          && accuracy >= job.sft().stopAtAccuracy();
      LOG.info(String.format("sft epoch %d/%d | loss %.4f |%s %.0f ms%s", epoch,
          job.sft().epochs(), spark.getScore(),
          accuracy == null ? "" : String.format(" acc %.3f |", accuracy), ms,
          reached ? " | stopped: held-out accuracy reached sft.stop-at-accuracy = "
              + job.sft().stopAtAccuracy() : ""));
      Map<String, Object> record = new LinkedHashMap<>();
      record.put("phase", "sft");
      record.put("epoch", epoch);
      record.put("loss", spark.getScore());
      record.put("learning_rate", job.sft().learningRate(epoch));
      if (accuracy != null) {
        record.put("eval_accuracy", accuracy);
      }
      record.put("epoch_ms", ms);
      if (reached) {
        record.put("stopped", "stop-at-accuracy");
      }
      dir.appendMetrics(record);
      if (reached) {
        break;
      }
      if (epoch == job.sft().epochs() && job.sft().stopsAtAccuracy()) {
        LOG.warn("sft ran all {} epochs without reaching sft.stop-at-accuracy = {}; the policy"
            + " written is the last one", epoch, job.sft().stopAtAccuracy());
      }
    }
    examples.unpersist(false);
    dir.writePolicy(trained);
    return trained;
  }

  private static PolicySnapshot fresh(TrainerSettings settings, Vocabulary vocabulary) {
    return Architectures.fresh(settings.policy(), vocabulary);
  }

  /** The same network with Adam on every layer (the policy's own configuration has no updater). */
  static MultiLayerNetwork withAdam(MultiLayerNetwork source, double learningRate) {
    MultiLayerConfiguration conf = source.getLayerWiseConfigurations().clone();
    for (NeuralNetConfiguration layer : conf.getConfs()) {
      if (layer.getLayer() instanceof BaseLayer base) {
        base.setIUpdater(new Adam(learningRate));
        base.setBiasUpdater(null);
      }
    }
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init(source.params().dup(), false);
    return net;
  }
}
