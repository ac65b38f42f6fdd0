package io.sparkrl.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.tokenizer.Vocabulary;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Binding a task thread to its GPU, with a recording stand-in for the CUDA backend. */
class DeviceBindingTest {
  /** Records the devices it was asked to switch to. */
  static final class FakeBackend implements DeviceBinding.Backend {
    final boolean cuda;
    final int devices;
    final List<Integer> set = new ArrayList<>();

    FakeBackend(boolean cuda, int devices) {
      this.cuda = cuda;
      this.devices = devices;
    }

    @Override
    public String name() {
      return cuda ? "FakeCudaBackend" : "FakeCpuBackend";
    }

    @Override
    public boolean isCuda() {
      return cuda;
    }

    @Override
    public int devices() {
      return devices;
    }

    @Override
    public void setDevice(int device) {
      set.add(device);
    }
  }

  @AfterEach
  void unbind() {
    new DeviceBinding(new FakeBackend(false, 1)).bind(List.of());
  }

  @Test
  void cudaBindsTheFirstAssignedAddress() {
    FakeBackend cuda = new FakeBackend(true, 4);
    DeviceBinding binding = new DeviceBinding(cuda);
    assertEquals(2, binding.bind(List.of("2")).device());
    assertEquals(2, DeviceBinding.current());
    DeviceBinding.Bound two = binding.bind(List.of("3", "1"));
    assertEquals(3, two.device());
    assertTrue(two.description().contains("others unused"), two.description());
    assertEquals(List.of(2, 3), cuda.set);
    assertEquals(DeviceBinding.HOST, binding.bind(List.of()).device());
    assertEquals(DeviceBinding.HOST, DeviceBinding.current());
    assertEquals(List.of(2, 3), cuda.set, "no GPU assigned: nothing switched");
  }

  @Test
  void aCpuBackendIgnoresTheAddresses() {
    FakeBackend cpu = new FakeBackend(false, 1);
    DeviceBinding.Bound b = new DeviceBinding(cpu).bind(List.of("1"));
    assertEquals(DeviceBinding.HOST, b.device());
    assertEquals(List.of("1"), b.addresses());
    assertTrue(b.description().contains("no-op"), b.description());
    assertTrue(cpu.set.isEmpty());
  }

  @Test
  void theLoadedBackendHereIsTheCpuOneAndBindingIsANoOp() {
    DeviceBinding.Bound b = DeviceBinding.nd4j().bind(List.of("0"));
    assertEquals(DeviceBinding.HOST, b.device());
    assertTrue(b.description().contains("CpuBackend"), b.description());
  }

  @Test
  void addressesTheBackendCannotSeeAreErrors() {
    DeviceBinding binding = new DeviceBinding(new FakeBackend(true, 2));
    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> binding.bind(List.of("2")));
    assertTrue(range.getMessage().contains("sees 2 device(s)"), range.getMessage());
    IllegalArgumentException name = assertThrows(IllegalArgumentException.class,
        () -> binding.bind(List.of("GPU-5f3a")));
    assertTrue(name.getMessage().contains("\"GPU-5f3a\""), name.getMessage());
  }

  @Test
  void thePolicyCacheKeepsOneNetworkPerDevice() {
    Vocabulary vocab = Vocabulary.ofCharacters("abc");
    PolicySnapshot s = LstmArchitecture.snapshot(LstmFactory.create(new PolicySettings(4, 6, 1, 3, 256),
        vocab.size(), DataType.FLOAT), vocab, 0);
    DeviceBinding binding = new DeviceBinding(new FakeBackend(true, 2));
    binding.bind(List.of("0"));
    PolicyModel on0 = PolicyCache.model("device-test", s);
    binding.bind(List.of("1"));
    PolicyModel on1 = PolicyCache.model("device-test", s);
    assertNotSame(on0, on1, "a network built while bound to device 0 served device 1");
    binding.bind(List.of("0"));
    assertSame(on0, PolicyCache.model("device-test", s));
  }
}
