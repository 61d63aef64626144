// Copies the NHS.UK frontend ES module and htmx into assets/compiled/js, and writes
// the entry module that initialises the NHS.UK components on every page.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";

const out = "assets/compiled/js";
mkdirSync(out, { recursive: true });
copyFileSync("node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js", `${out}/nhsuk-frontend.min.js`);
copyFileSync("node_modules/htmx.org/dist/htmx.min.js", `${out}/htmx.min.js`);
writeFileSync(
  `${out}/app.mjs`,
  'import { initAll } from "./nhsuk-frontend.min.js";\ninitAll();\n',
);
