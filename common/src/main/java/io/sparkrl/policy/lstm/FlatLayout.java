package io.sparkrl.policy.lstm;


import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Where each parameter matrix of a policy network sits in DL4J's flat parameter (and gradient)
 * vector, read from the network's own parameter views rather than assumed.
 *
 * <p>DL4J stores a weight matrix (rows, cols) column-major ('f'), which is its transpose
 * (cols, rows) row-major: BLAS reads the embedding as (E, V), an LSTM's W as (4H, in) and RW as
 * (4H, H), and the output W as (V, H), each at its offset, and writes weight gradients the same way.
 * Gate blocks along 4H are DL4J's order [block input z | forget f | output o | input i].
 */
record FlatLayout(int parameters, int vocabulary, int embedding, int hidden, int[] inputs,
    int embeddingW, int[] lstmW, int[] lstmRW, int[] lstmB, int outputW, int outputB) {

  static FlatLayout of(MultiLayerNetwork net) {
    int layers = LstmFactory.lstmLayers(net);
    INDArray all = net.params();
    INDArray emb = net.getLayer(0).getParam("W");
    int vocabulary = (int) emb.size(0);
    int embedding = (int) emb.size(1);
    int[] inputs = new int[layers];
    int[] w = new int[layers];
    int[] rw = new int[layers];
    int[] b = new int[layers];
    int hidden = 0;
    for (int l = 0; l < layers; l++) {
      var layer = net.getLayer(1 + l);
      INDArray lw = layer.getParam("W");
      inputs[l] = (int) lw.size(0);
      hidden = (int) lw.size(1) / 4;
      w[l] = offset(all, lw, "LSTM " + l + " W");
      rw[l] = offset(all, layer.getParam("RW"), "LSTM " + l + " RW");
      b[l] = offset(all, layer.getParam("b"), "LSTM " + l + " b");
    }
    var out = net.getLayer(layers + 1);
    return new FlatLayout((int) all.length(), vocabulary, embedding, hidden, inputs,
        offset(all, emb, "embedding W"), w, rw, b, offset(all, out.getParam("W"), "output W"),
        offset(all, out.getParam("b"), "output b"));
  }

  int layers() {
    return inputs.length;
  }

  /** The view's start in the flat vector; fails unless it is a plain column-major block. */
  private static int offset(INDArray all, INDArray view, String name) {
    boolean columnMajor = view.rank() == 1 ? view.stride(0) == 1
        : view.rank() == 2 && (view.size(0) == 1 || view.size(1) == 1
            || (view.ordering() == 'f' && view.stride(0) == 1 && view.stride(1) == view.size(0)));
    if (!columnMajor) {
      throw new IllegalStateException(name + " is not a column-major block of the flat parameters"
          + " (shape " + java.util.Arrays.toString(view.shape()) + ", order " + view.ordering() + ")");
    }
    return (int) (view.offset() - all.offset());
  }
}
