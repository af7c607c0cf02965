// The staff pages' script (wwwroot/js/staff.js): key enrolment and the case view, both doing their cryptography here.
import { initCasePage } from "./casePage";
import { initKeysPage } from "./keysPage";

initKeysPage();
initCasePage();
