// Bundles the browser code. One self-contained file per entry point, no source maps or external URLs in
// production output: the pages load nothing from elsewhere.
//   wwwroot/js/intake.js                  the product bundle
//   wwwroot/js/survivor.js                the survivor pages (Pages/Survivor): submit, return, quick exit
//   wwwroot/js/staff.js                   the staff pages (Pages/Staff): key enrolment, the case view
//   ../obj/client-harness/crypto-harness.js  the protocol functions on window.intakeCrypto, for the Playwright
//                                          cross-checks in tests/Intake.Web.Tests/Crypto only; outside wwwroot, so
//                                          the server never serves it and no product page can load it.
import { build } from "esbuild";

const common = {
  bundle: true,
  format: "esm",
  target: ["es2022"],
  legalComments: "none",
  sourcemap: false,
  logLevel: "warning",
};

await build({ ...common, entryPoints: { intake: "src/main.ts", survivor: "src/survivor/main.ts", staff: "src/staff/main.ts" }, outdir: "../wwwroot/js", minify: true });
await build({ ...common, entryPoints: { "crypto-harness": "src/crypto-harness.ts" }, outdir: "../obj/client-harness", minify: false });
