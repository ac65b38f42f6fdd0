package io.sparkrl.policy.lstm;

import io.sparkrl.gradient.ReinforceLoss;
import io.sparkrl.policy.PolicySettings;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/**
 * The one place the policy network is defined: token embedding, a stack of LSTM layers, softmax
 * over the vocabulary. Layer 0 is the embedding, layers 1..n the LSTMs, layer n+1 the output.
 *
 * <p>Shapes: input (B, 1, T) token ids; output (B, V, T) next-token probabilities.
 *
 * <p>The network's own updater is {@link NoOp}: gradients are taken with
 * {@code computeGradientAndScore()} and applied by {@link io.sparkrl.optim.AdamW} on the driver,
 * so nothing in DL4J rescales them by the minibatch size.
 */
public final class LstmFactory {
  private LstmFactory() {}

  public static MultiLayerConfiguration configuration(PolicySettings s, int vocabularySize,
      DataType dataType) {
    NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
        .seed(s.initSeed())
        .dataType(dataType)
        .weightInit(WeightInit.XAVIER)
        .updater(new NoOp())
        .list()
        .layer(new EmbeddingSequenceLayer.Builder()
            .nIn(vocabularySize).nOut(s.embeddingSize()).hasBias(false)
            .outputDataFormat(RNNFormat.NCW).build());
    int in = s.embeddingSize();
    for (int l = 0; l < s.layers(); l++) {
      list.layer(new LSTM.Builder().nIn(in).nOut(s.hiddenSize()).activation(Activation.TANH)
          .gateActivationFunction(Activation.SIGMOID).dataFormat(RNNFormat.NCW).build());
      in = s.hiddenSize();
    }
    list.layer(new RnnOutputLayer.Builder(new ReinforceLoss()).nIn(in).nOut(vocabularySize)
        .activation(Activation.SOFTMAX).dataFormat(RNNFormat.NCW).build());
    return list.build();
  }

  /** A fresh, initialised network (parameters from {@code init-seed}). */
  public static MultiLayerNetwork create(PolicySettings s, int vocabularySize, DataType dataType) {
    return initialised(configuration(s, vocabularySize, dataType));
  }

  /** A network for a configuration, with initialised (not yet loaded) parameters. */
  public static MultiLayerNetwork initialised(MultiLayerConfiguration conf) {
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return net;
  }

  /** Number of LSTM layers in a network built here. */
  public static int lstmLayers(MultiLayerNetwork net) {
    return net.getnLayers() - 2;
  }

  /** Token ids as the network's input: (B, 1, T), values are ids. */
  public static org.nd4j.linalg.api.ndarray.INDArray input(int[][] rows, int length, DataType type) {
    // one bulk copy rather than a putScalar per position
    double[] ids = new double[rows.length * length];
    for (int r = 0; r < rows.length; r++) {
      for (int t = 0; t < Math.min(length, rows[r].length); t++) {
        ids[r * length + t] = rows[r][t];
      }
    }
    var features = Nd4j.create(ids, new long[] {rows.length, 1, length}, 'c');
    return features.dataType() == type ? features : features.castTo(type);
  }
}
