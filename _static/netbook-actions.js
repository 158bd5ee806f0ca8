// The theme's header buttons ran their code from onclick attributes, which a
// Content-Security-Policy without 'unsafe-inline' refuses. _ext/html_fixes.py moves each
// known handler to data-netbook-action; this file runs it (one listener for the page).
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("[data-netbook-action]") : null;
  if (!button) return;
  var action = button.getAttribute("data-netbook-action");
  if (action === "print") {
    window.print();
  } else if (action === "fullscreen" && typeof window.toggleFullScreen === "function") {
    window.toggleFullScreen();
  }
});
