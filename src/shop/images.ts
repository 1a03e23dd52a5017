// Product images: an upload is checked by its content (magic bytes, then sharp's reading of it),
// size-limited, and turned into WebP variants stored under DATA_DIR/images with content-hashed
// names, served with a one-year immutable cache. Decision 0051.
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import type { Metadata } from 'sharp';
import type { Config } from '../config.ts';
import { ValidationError } from '../core/errors.ts';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;
/** Widths of the WebP variants; an image narrower than one gets its own width instead. */
export const VARIANT_WIDTHS = [320, 640, 1024] as const;
const MAX_INPUT_PIXELS = 40_000_000;
const MIN_SIDE = 100;

export interface StoredImage {
  key: string;
  width: number;
  height: number;
}

export const imagesDir = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'images');

/** The widths stored for an image of this width (deterministic: the files are found from the row). */
export function variantWidths(width: number): number[] {
  const out: number[] = VARIANT_WIDTHS.filter((w) => w < width);
  if (width < VARIANT_WIDTHS[VARIANT_WIDTHS.length - 1] && !out.includes(width)) out.push(width);
  if (width >= VARIANT_WIDTHS[VARIANT_WIDTHS.length - 1]) out.push(VARIANT_WIDTHS[VARIANT_WIDTHS.length - 1]);
  return [...new Set(out)];
}

export const variantName = (key: string, width: number): string => `${key}-${width}.webp`;
export const imageUrl = (key: string, width: number): string => `/images/produits/${variantName(key, width)}`;

/** For <img srcset> and <source srcset>: every variant with its width. */
export function srcsetOf(img: { key: string; width: number }): string {
  return variantWidths(img.width)
    .map((w) => `${imageUrl(img.key, w)} ${w}w`)
    .join(', ');
}

/** The variant closest to `want` px wide (the fallback src). */
export function srcOf(img: { key: string; width: number }, want = 640): string {
  const ws = variantWidths(img.width);
  return imageUrl(img.key, ws.find((w) => w >= want) ?? ws[ws.length - 1]);
}

/** The displayed size of a variant, for width/height attributes (no layout shift). */
export function displaySize(img: { width: number; height: number }, want = 640): { width: number; height: number } {
  const ws = variantWidths(img.width);
  const w = ws.find((x) => x >= want) ?? ws[ws.length - 1];
  return { width: w, height: Math.max(1, Math.round((img.height * w) / img.width)) };
}

type Kind = 'jpeg' | 'png' | 'webp';

/** What the first bytes say the file is, whatever its name or declared type. */
export function sniff(buf: Buffer): Kind | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  return null;
}

const NOT_AN_IMAGE = 'Image : ce fichier n’est pas une image JPEG, PNG ou WebP lisible.';

/**
 * sharp (libvips, about 30 MB resident once loaded) is loaded at the first image handled, not at
 * start: a restarted site serves the stored variants without it.
 */
let sharpModule: Promise<typeof import('sharp')> | undefined;
async function loadSharp(): Promise<typeof import('sharp').default> {
  sharpModule ??= import('sharp');
  return (await sharpModule).default;
}

/**
 * Checks an uploaded file and writes its variants; `seed` names it (the product) so that the same
 * picture on two products gives two keys. Throws a French ValidationError on the 'image' field.
 */
export async function storeImage(config: Pick<Config, 'dataDir'>, seed: string, buf: Buffer): Promise<StoredImage> {
  if (buf.length === 0) throw new ValidationError('Image : choisissez un fichier.', 'image');
  if (buf.length > MAX_UPLOAD_BYTES) throw new ValidationError('Image : le fichier dépasse 5 Mo.', 'image');
  const kind = sniff(buf);
  if (!kind) throw new ValidationError(NOT_AN_IMAGE, 'image');
  let meta: Metadata;
  try {
    meta = await (await loadSharp())(buf, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  } catch {
    throw new ValidationError(NOT_AN_IMAGE, 'image');
  }
  if (meta.format !== kind || !meta.width || !meta.height) throw new ValidationError(NOT_AN_IMAGE, 'image');
  if (meta.width * meta.height > MAX_INPUT_PIXELS)
    throw new ValidationError('Image : trop grande (40 mégapixels au maximum).', 'image');
  // EXIF orientation 5-8 swaps the sides once the image is turned upright.
  const turned = (meta.orientation ?? 1) >= 5;
  const width = turned ? meta.height : meta.width;
  const height = turned ? meta.width : meta.height;
  if (Math.min(width, height) < MIN_SIDE)
    throw new ValidationError(`Image : au moins ${MIN_SIDE} pixels de côté.`, 'image');
  const key = createHash('sha256').update(seed).update('\0').update(buf).digest('hex').slice(0, 24);
  return writeVariants(config, key, buf, width, height);
}

/** Writes the WebP variants of an image already known to be good (also used by the demo seed). */
export async function writeVariants(
  config: Pick<Config, 'dataDir'>,
  key: string,
  input: Buffer,
  width: number,
  height: number,
): Promise<StoredImage> {
  const dir = imagesDir(config);
  await mkdir(dir, { recursive: true });
  const sharp = await loadSharp();
  try {
    await Promise.all(
      variantWidths(width).map(async (w) => {
        const file = path.join(dir, variantName(key, w));
        if (await exists(file)) return;
        // metadata stripped (EXIF GPS and camera data are not published); turned upright first
        const out = await sharp(input, { limitInputPixels: MAX_INPUT_PIXELS })
          .rotate()
          .resize({ width: w, withoutEnlargement: true })
          .webp({ quality: 80, effort: 3 })
          .toBuffer();
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, out);
        await rename(tmp, file);
      }),
    );
  } catch (err) {
    if (err instanceof Error && /Input|unsupported|corrupt|premature|VipsJpeg|pngload|webpload/i.test(err.message))
      throw new ValidationError(NOT_AN_IMAGE, 'image');
    throw err;
  }
  return { key, width, height };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** A file name the image route accepts: nothing else is looked up on disk. */
export const VARIANT_FILE = /^[0-9a-f]{24}-\d{2,4}\.webp$/;
