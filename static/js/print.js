// The report's Print button: shown only where this script runs (without JavaScript the
// page says to use the browser's own Print), and it opens the browser's print dialog.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
