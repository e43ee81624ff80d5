// The "Cetak" (print) buttons of receipts and statements: print the page. The print
// style sheet (app.css, @media print) lays a receipt out for 58/80 mm thermal paper.
'use strict';
(function () {
  for (const button of document.querySelectorAll('[data-print]')) {
    button.addEventListener('click', () => window.print());
  }
})();
