// Icons, favicons and the web manifest, served at the page template's assetPath.
import { cpSync, mkdirSync } from "node:fs";

mkdirSync("assets/compiled/assets", { recursive: true });
cpSync("node_modules/nhsuk-frontend/dist/nhsuk/assets", "assets/compiled/assets", { recursive: true });
