// The survivor pages' only script (wwwroot/js/survivor.js). The pages read fine without it; with it, they encrypt.
import { enhanceEveryPage } from "./common";
import { inspectEnvironment } from "../environment";
import { initReturnPage } from "./returnPage";
import { initSubmitPage } from "./submitPage";

enhanceEveryPage();

const page = document.body.dataset.page;
if (page === "submit" || page === "return") {
  const { secureContext, webCrypto } = inspectEnvironment();
  if (!secureContext || !webCrypto) {
    // Say so now, rather than fail in the middle of her testimony.
    for (const element of Array.from(document.querySelectorAll<HTMLElement>("[data-needs-js]"))) {
      element.hidden = true;
    }
    for (const element of Array.from(document.querySelectorAll<HTMLElement>("[data-no-crypto]"))) {
      element.hidden = false;
    }
  } else if (page === "submit") {
    initSubmitPage();
  } else {
    initReturnPage();
  }
}
