package io.sparkrl.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.sparkrl.settings.SettingsException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VocabularyTest {
  static final Vocabulary V = Vocabulary.build(List.of("How much is 12+7?", "The answer is 19."));

  @ParameterizedTest
  @ValueSource(strings = {"How much is 12+7?", "The answer is 19.", "", "  ", "?.+"})
  void roundTrips(String text) {
    int[] ids = V.encode(text, UnknownCharacterMode.ERROR);
    assertEquals(text.length(), ids.length);
    for (int id : ids) {
      assertTrue(id >= Vocabulary.SPECIALS && id < V.size());
    }
    assertEquals(text, V.decode(ids));
  }

  @ParameterizedTest
  @CsvSource({"How much is 8+3?, '8', 12", "z, 'z', 0", "The answer is 1!, '!', 15"})
  void errorNamesTheCharacterAndItsPosition(String text, String ch, int position) {
    UnknownCharacterException e = assertThrows(UnknownCharacterException.class,
        () -> V.encode(text, UnknownCharacterMode.ERROR));
    assertEquals(ch.codePointAt(0), e.codePoint());
    assertEquals(position, e.position());
    assertTrue(e.getMessage().contains("'" + ch + "'") && e.getMessage().contains("position " + position),
        e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"How much is 8+3?, 12", "z, 0"})
  void replaceMapsToUnk(String text, int position) {
    int[] ids = V.encode(text, UnknownCharacterMode.REPLACE);
    assertEquals(Vocabulary.UNK, ids[position]);
    assertEquals('\uFFFD', V.decode(ids).charAt(position));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1+1?"})
  void promptIsFramedByBosAndSep(String prompt) {
    int[] ids = V.encodePrompt(prompt, UnknownCharacterMode.ERROR);
    assertEquals(Vocabulary.BOS, ids[0]);
    assertEquals(Vocabulary.SEP, ids[ids.length - 1]);
    assertEquals(prompt, V.decode(ids));
  }

  @ParameterizedTest
  @ValueSource(strings = {"abcé€😀"})
  void savesAndLoadsExactly(String chars) throws IOException {
    Vocabulary v = Vocabulary.ofCharacters(chars);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    v.writeTo(new DataOutputStream(bytes));
    Vocabulary back = Vocabulary.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    assertEquals(v, back);
    assertEquals(Vocabulary.SPECIALS + chars.codePointCount(0, chars.length()), back.size());
    assertArrayEquals(v.encode("😀é", UnknownCharacterMode.ERROR), back.encode("😀é", UnknownCharacterMode.ERROR));
    assertEquals("<eos>", back.tokenName(Vocabulary.EOS));
  }

  @ParameterizedTest
  @ValueSource(strings = {"sometimes", "ERRORS"})
  void unknownModeSettingIsValidated(String mode) {
    SettingsException e = assertThrows(SettingsException.class, () -> TokenizerSettings.from(
        ConfigFactory.parseString("sparkrl.tokenizer.unknown = " + mode)
            .withFallback(ConfigFactory.defaultReference())));
    assertEquals("sparkrl.tokenizer.unknown", e.key());
    assertTrue(e.getMessage().contains(mode.toLowerCase()), e.getMessage());
  }
}
