package io.sparkrl.policy.transformer;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The tensors of a {@link TransformerLayout} as ND4J views of one flat vector (the parameters, or
 * a gradient accumulating in the same layout): matrices (rows, cols) row-major, vectors (1, n).
 * Writing through a view writes the flat vector.
 */
final class TransformerWeights {
  private final TransformerLayout layout;
  private final INDArray flat;
  private final Map<String, INDArray> views = new HashMap<>();

  TransformerWeights(TransformerLayout layout, INDArray flat) {
    if (flat.length() != layout.parameterCount()) {
      throw new IllegalArgumentException(flat.length() + " values for a layout of "
          + layout.parameterCount() + " parameters");
    }
    this.layout = layout;
    this.flat = flat;
  }

  INDArray flat() {
    return flat;
  }

  /** The view of tensor {@code name}. */
  INDArray get(String name) {
    return views.computeIfAbsent(name, n -> {
      TransformerLayout.Tensor t = layout.tensor(n);
      INDArray slice = flat.get(NDArrayIndex.interval(t.offset(), t.offset() + t.length()));
      boolean matrix = t.shape().length > 1;
      INDArray view = slice.reshape('c', matrix ? t.rows() : 1, matrix ? t.columns() : t.length());
      return view;
    });
  }

  /** Layer i's tensor with the given suffix, in the family's naming. */
  INDArray layer(int i, String suffix) {
    return get(layerName(layout.shape().family(), i, suffix));
  }

  /** Layer i's tensor, or null when the shape has no such tensor (optional biases). */
  INDArray layerOrNull(int i, String suffix) {
    String name = layerName(layout.shape().family(), i, suffix);
    return layout.has(name) ? get(name) : null;
  }

  static String layerName(TransformerFamily family, int i, String suffix) {
    return (family == TransformerFamily.LLAMA ? "model.layers." : "transformer.h.") + i + "."
        + suffix;
  }
}
