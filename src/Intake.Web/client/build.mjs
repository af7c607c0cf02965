// Bundles the browser code into wwwroot/js. One self-contained file per entry point, no
// source maps or external URLs in production output: the pages load nothing from elsewhere.
import { build } from "esbuild";

await build({
  entryPoints: { intake: "src/main.ts" },
  outdir: "../wwwroot/js",
  bundle: true,
  format: "esm",
  target: ["es2022"],
  minify: true,
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
});
