// Receipts: a button that prints the page (the CSP allows no inline script).
document.addEventListener("click", (e) => {
  if (e.target.closest("[data-print]")) window.print();
});
