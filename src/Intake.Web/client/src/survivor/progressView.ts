// Shows where a long operation is: a sentence for the stage and a <progress> bar (a property, not a style, so the
// strict CSP needs no exception).
import type { Progress } from "./streams";
import { t } from "./text";

const stageText = {
  keys: "Js_StageKeys",
  encrypt: "Js_StageEncrypt",
  upload: "Js_StageUpload",
  retry: "Js_StageRetry",
  work: "Js_StageWork",
  record: "Js_StageRecord",
} as const;

export function progressView(stage: HTMLElement, bar: HTMLProgressElement): Progress {
  let percent = 0;
  return {
    stage(name) {
      stage.textContent = name === "upload" ? t("Js_StageUpload", percent) : t(stageText[name]);
    },
    uploaded(fraction) {
      percent = Math.floor(fraction * 100);
      bar.value = fraction;
      stage.textContent = t("Js_StageUpload", percent);
    },
  };
}
