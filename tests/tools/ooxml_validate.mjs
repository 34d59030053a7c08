// Validates every .docx given against the Office Open XML schemas with Microsoft's Open XML SDK
// (@ooxml-tools/validate, .NET in WebAssembly, offline), in one process: starting the runtime
// is what takes the time. Prints {"file": [{id, description, path}], ...} as JSON.
// Usage: node ooxml_validate.mjs PACKAGE_DIR FILE.docx...
import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import path from "node:path";

const [packageDir, ...files] = process.argv.slice(2);
const entry = pathToFileURL(path.join(packageDir, "dist", "npm", "index.js")).href;
const { default: validate } = await import(entry);
const results = {};
for (const file of files) {
  const data = new Uint8Array(await readFile(file));
  const found = await validate(data, "docx", "Microsoft365");
  results[file] = found.map((e) => ({ id: e.id, description: e.description, path: e.path }));
}
process.stdout.write(JSON.stringify(results));
process.exit(0);
