// The member import form works without this: the CSV can be pasted. With it, a CSV file
// chosen on the computer is read into the text area (it must be UTF-8, as the importer
// requires; any other encoding is refused here rather than garbled).
'use strict';
(function () {
  const file = document.getElementById('csv-file');
  const text = document.getElementById('csv-text');
  if (!file || !text) return;
  file.closest('label').hidden = false;
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    try {
      text.value = new TextDecoder('utf-8', { fatal: true }).decode(await chosen.arrayBuffer());
      file.setCustomValidity('');
    } catch {
      text.value = '';
      file.setCustomValidity(file.dataset.notUtf8);
      file.reportValidity();
    }
  });
})();
