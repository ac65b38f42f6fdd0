package io.sparkrl.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.sparkrl.policy.DeviceBinding;
import io.sparkrl.policy.PolicySettings;
import io.sparkrl.policy.lstm.LstmArchitecture;
import io.sparkrl.policy.lstm.LstmFactory;
import io.sparkrl.policy.lstm.LstmKernel;
import io.sparkrl.policy.lstm.NetworkStepper;
import io.sparkrl.settings.KnownKeys;
import io.sparkrl.settings.SettingsException;
import io.sparkrl.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

class SamplingDeviceTest {
  static Config config(String overrides) {
    return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  @ParameterizedTest(name = "{0} on CUDA={1} -> {2}")
  @CsvSource({
      "auto, true, network",
      "auto, false, cpu-kernel",
      "network, false, network",
      "network, true, network",
      "cpu-kernel, true, cpu-kernel",
      "cpu-kernel, false, cpu-kernel",
  })
  void autoIsTheNetworkOnCudaOnly(String setting, boolean cuda, String path) {
    SamplingDevice device = SamplingSettings.from(config("sparkrl.sampling.device = " + setting)).device();
    assertEquals(setting, device.configName());
    assertEquals(path, device.resolve(cuda).configName());
  }

  @Test
  void theReferenceDefaultIsAuto() {
    assertEquals(SamplingDevice.AUTO, SamplingSettings.from(config("")).device());
  }

  @Test
  void anUnknownPathNamesTheKeyAndTheChoices() {
    SettingsException e = assertThrows(SettingsException.class,
        () -> SamplingSettings.from(config("sparkrl.sampling.device = gpu")));
    assertTrue(e.getMessage().contains("sparkrl.sampling.device"), e.getMessage());
    assertTrue(e.getMessage().contains("cpu-kernel") && e.getMessage().contains("network"),
        e.getMessage());
  }

  @Test
  void aMisspelledKeyIsRejected() {
    Config c = config("sparkrl.sampling.devices = network");
    SettingsException e = assertThrows(SettingsException.class,
        () -> KnownKeys.check(c, ConfigFactory.defaultReference(), "sparkrl"));
    assertTrue(e.getMessage().contains("sparkrl.sampling.device"), e.getMessage());
  }

  @Test
  void onThisCpuBackendAutoSamplesWithTheKernel() {
    assertTrue(!DeviceBinding.nd4j().isCuda(), "these tests run on the CPU backend");
    var net = LstmFactory.create(new PolicySettings(4, 6, 1, 3, 256),
        Vocabulary.ofCharacters("abc").size(), DataType.FLOAT);
    var model = LstmArchitecture.of(net).newModel(net.params().toFloatVector());
    assertInstanceOf(LstmKernel.class, model.stepper(SamplingDevice.AUTO, 8));
    assertInstanceOf(NetworkStepper.class, model.stepper(SamplingDevice.NETWORK, 8));
    assertInstanceOf(LstmKernel.class, model.stepper(SamplingDevice.CPU_KERNEL, 64));
  }
}
