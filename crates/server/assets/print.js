// Print buttons on report pages: <button data-print>. A script file, because the
// content security policy allows no inline handlers.
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
