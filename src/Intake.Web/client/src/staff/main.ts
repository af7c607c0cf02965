// The staff pages' script (wwwroot/js/staff.js): key enrolment and the case view, both doing their cryptography here,
// and passkeys (WebAuthn) on the sign-in, re-authentication and passkeys pages.
import { initCasePage } from "./casePage";
import { initKeysPage } from "./keysPage";
import { initPasskeys } from "./passkeys";

initKeysPage();
initCasePage();
initPasskeys();
