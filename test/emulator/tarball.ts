import { gzipSync } from 'node:zlib';

const BLOCK = 512;

function header(name: string, size: number, mtime: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  const field = (value: string, offset: number, length: number): void => {
    h.write(value, offset, length, 'ascii');
  };
  const octal = (value: number, length: number): string => value.toString(8).padStart(length - 1, '0');
  field(name, 0, 100);
  field(octal(0o644, 8), 100, 8);
  field(octal(0, 8), 108, 8);
  field(octal(0, 8), 116, 8);
  field(octal(size, 12), 124, 12);
  field(octal(Math.floor(mtime), 12), 136, 12);
  field(' '.repeat(8), 148, 8); // the checksum is computed with its own field as spaces
  field('0', 156, 1);
  field('ustar\u000000', 257, 8);
  let sum = 0;
  for (const byte of h) sum += byte;
  field(`${octal(sum, 7)}\u0000 `, 148, 8);
  return h;
}

/** A gzipped POSIX tar of the given files: what `tar -xzf model.tar.gz` reads. */
export function tarGz(files: Record<string, string>, mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content, 'utf8');
    parts.push(header(name, data.length, mtime), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return gzipSync(Buffer.concat(parts));
}
