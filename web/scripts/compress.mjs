// Writes name.br next to every compressible file of the build, so the Go
// server can send brotli without compressing at request time (gzip it makes
// itself when it loads the files).
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants } from "node:zlib";

const root = process.argv[2] || "dist";
const compressible = /\.(js|mjs|css|html|svg|json|webmanifest|txt|map|wasm)$/;
let saved = 0;
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (compressible.test(name) && statSync(p).size >= 512) {
      const raw = readFileSync(p);
      const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
      if (br.length < raw.length) {
        writeFileSync(p + ".br", br);
        saved += raw.length - br.length;
      }
    }
  }
}
walk(root);
console.log(`brotli: ${Math.round(saved / 1024)} KiB saved in ${root}`);
