package io.sparkrl.job.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;

/** How much a picture shows: a blank (one-colour) image has one colour and no ink. */
public record Pictures(int width, int height, int colours, double inkFraction) {

  public static Pictures of(Path png) throws IOException {
    return of(Files.readAllBytes(png));
  }

  /** Colours counted exactly; ink = pixels that differ from the top-left (background) pixel. */
  public static Pictures of(byte[] png) throws IOException {
    BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
    if (image == null) {
      throw new IOException("not a decodable image (" + png.length + " bytes)");
    }
    int background = image.getRGB(0, 0);
    Set<Integer> colours = new HashSet<>();
    long ink = 0;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y);
        colours.add(rgb);
        ink += rgb != background ? 1 : 0;
      }
    }
    return new Pictures(image.getWidth(), image.getHeight(), colours.size(),
        (double) ink / ((long) image.getWidth() * image.getHeight()));
  }
}
