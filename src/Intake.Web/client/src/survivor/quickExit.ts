// Quick exit: the button at the top of every page and the Esc key leave at once for a neutral search page.
// location.replace swaps the current history entry, so Back does not come back here. Without JavaScript the
// button is a plain link (rel="noreferrer", so the neutral site is not told where she came from).

function leave(href: string): void {
  // Hide the page first: on a slow connection the old page would otherwise stay on screen until the next one loads.
  document.body.classList.add("leaving");
  window.location.replace(href);
}

export function installQuickExit(): void {
  const button = document.querySelector<HTMLAnchorElement>("a[data-quick-exit]");
  if (button === null) {
    return;
  }
  button.addEventListener("click", (event) => {
    event.preventDefault();
    leave(button.href);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" || event.key === "Esc") {
      event.preventDefault();
      leave(button.href);
    }
  });
}

/**
 * Moves between Intake's own pages with location.replace, so the whole visit occupies one history entry: after a
 * quick exit, Back leads to whatever was open before Intake, not to another Intake page.
 */
export function keepOneHistoryEntry(): void {
  document.addEventListener("click", (event) => {
    const link = (event.target as Element | null)?.closest?.("a[href]");
    if (!(link instanceof HTMLAnchorElement) || link.hasAttribute("data-quick-exit") || link.hasAttribute("download")) {
      return;
    }
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    const target = new URL(link.href, window.location.href);
    if (target.origin !== window.location.origin || target.hash !== "" && target.pathname === window.location.pathname) {
      return;
    }
    event.preventDefault();
    window.location.replace(target.href);
  });
}
