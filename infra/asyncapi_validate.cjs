// Validates an AsyncAPI document with the AsyncAPI parser (npm @asyncapi/parser, pinned in the Makefile).
//   node infra/asyncapi_validate.cjs <node_modules folder> docs/asyncapi.json
// Exit 0 when the parser finds no error (warnings are printed), 1 otherwise.
const path = require("path");
const fs = require("fs");

const [modules, document] = process.argv.slice(2);
const { Parser } = require(path.resolve(modules, "@asyncapi", "parser"));

(async () => {
  const parser = new Parser();
  const { document: parsed, diagnostics } = await parser.parse(fs.readFileSync(document, "utf8"), {
    source: path.resolve(document),
  });
  const errors = diagnostics.filter((d) => d.severity === 0);
  for (const d of diagnostics) {
    const level = ["error", "warning", "info", "hint"][d.severity] || "note";
    console.error(`${document}: ${level}: ${d.code}: ${d.message} at ${JSON.stringify(d.path)}`);
  }
  if (errors.length || !parsed) {
    console.error(`${document}: ${errors.length} error(s): not a valid AsyncAPI document`);
    process.exit(1);
  }
  const ops = parsed.operations().all().length;
  const msgs = parsed.allMessages().all().length;
  console.log(`${document}: valid AsyncAPI ${parsed.version()} (${ops} operations, ${msgs} messages)`);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
