/**
 * The size of a zip archive holding some files, computed exactly as Python's zipfile (which SAM packages with)
 * writes it: ZIP_DEFLATED at zlib's default level, a local header and a central directory entry per file, no extras.
 */
import { deflateRawSync } from "node:zlib";

const LOCAL_HEADER = 30;
const CENTRAL_HEADER = 46;
const END_OF_CENTRAL_DIRECTORY = 22;

export function zipSize(files: { name: string; data: Uint8Array }[]): number {
  let size = END_OF_CENTRAL_DIRECTORY;
  for (const file of files) {
    const name = Buffer.byteLength(file.name);
    const deflated = deflateRawSync(file.data, { level: 6 }).length;
    size += LOCAL_HEADER + CENTRAL_HEADER + 2 * name + deflated;
  }
  return size;
}
