// Contest files (decision 0070): the rules as a PDF, checked by content and stored under
// DATA_DIR/contests with a content-hashed name; the prizes' pictures go through the catalogue's
// image pipeline (src/shop/images.ts: checked by sharp, WebP variants under DATA_DIR/images).
import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config.ts';
import { ValidationError } from '../core/errors.ts';
import type { StoredImage } from '../shop/images.ts';

export const MAX_RULES_BYTES = 5 * 1024 * 1024;
export const rulesDir = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'contests');
/** The only names the public route looks up on disk. */
export const RULES_FILE = /^C-[0-9A-HJKMNP-TV-Z]{8}-rules-[0-9a-f]{16}\.pdf$/;

const NOT_A_PDF = 'Règlement : ce fichier n’est pas un PDF.';

/** Checks the bytes are a whole PDF (header at the start, end-of-file marker at the end); never trusts the name. */
export function checkPdf(buf: Buffer, truncated = false): void {
  if (buf.length === 0) throw new ValidationError('Règlement : choisissez un fichier PDF.', 'rules');
  if (truncated || buf.length > MAX_RULES_BYTES) throw new ValidationError('Règlement : le fichier dépasse 5 Mo.', 'rules');
  if (buf.toString('latin1', 0, 5) !== '%PDF-') throw new ValidationError(NOT_A_PDF, 'rules');
  // A PDF ends with %%EOF (possibly followed by a line end or a little padding): a cut file fails.
  if (!buf.toString('latin1', Math.max(0, buf.length - 1024)).includes('%%EOF')) throw new ValidationError(NOT_A_PDF, 'rules');
}

/** Writes the checked PDF as DATA_DIR/contests/<publicId>-rules-<hash>.pdf and returns that name. */
export async function writeRules(config: Pick<Config, 'dataDir'>, contestPublicId: string, buf: Buffer): Promise<string> {
  const name = `${contestPublicId}-rules-${createHash('sha256').update(buf).digest('hex').slice(0, 16)}.pdf`;
  if (!RULES_FILE.test(name)) throw new Error('unexpected contest public id');
  const dir = rulesDir(config);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, buf);
  await rename(tmp, file);
  return name;
}

// A prize's picture is kept in its one text column as "<key>-<width>x<height>": the variants'
// names follow from it (variantWidths), as for a product image.
const PICTURE = /^([0-9a-f]{24})-(\d{1,5})x(\d{1,5})$/;
export const pictureValue = (img: StoredImage): string => `${img.key}-${img.width}x${img.height}`;
export function pictureOf(value: string | null | undefined): StoredImage | null {
  const m = value ? PICTURE.exec(value) : null;
  return m ? { key: m[1]!, width: Number(m[2]), height: Number(m[3]) } : null;
}

// The WinAnsi bytes of the few characters of French text outside Latin-1.
const WIN_ANSI: Record<string, string> = {
  '\u2018': '\x91', '\u2019': '\x92', '\u2013': '\x96', '\u2014': '\x97', '\u20ac': '\x80', '\u0153': '\x9c', '\u2026': '\x85', '\u202f': ' ',
};

/** A one-page PDF with a title and lines of text (Helvetica, WinAnsi: French accents print), built by hand. */
export function simplePdf(title: string, lines: string[]): Buffer {
  const esc = (s: string) =>
    s
      .replace(/[\\()]/g, (c) => `\\${c}`)
      .replace(/[\u2018\u2019\u2013\u2014\u20ac\u0153\u2026\u202f]/g, (c) => WIN_ANSI[c] ?? '?')
      .replace(/[^\n\x20-\xff]/g, '?');
  const text = [`BT /F1 16 Tf 56 780 Td (${esc(title)}) Tj ET`, ...lines.map((l, i) => `BT /F1 11 Tf 56 ${748 - i * 16} Td (${esc(l)}) Tj ET`)].join('\n');
  const stream = Buffer.from(text, 'latin1');
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  ];
  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  const offsets: number[] = [];
  let size = parts[0]!.length;
  const push = (b: Buffer) => {
    parts.push(b);
    size += b.length;
  };
  objects.forEach((o, i) => {
    offsets.push(size);
    push(Buffer.from(`${i + 1} 0 obj\n${o}\nendobj\n`, 'latin1'));
  });
  offsets.push(size);
  push(Buffer.concat([Buffer.from(`5 0 obj\n<< /Length ${stream.length} >>\nstream\n`, 'latin1'), stream, Buffer.from('\nendstream\nendobj\n', 'latin1')]));
  const xref = size;
  push(Buffer.from(`xref\n0 6\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
