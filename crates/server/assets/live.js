// Keeps parts of a page current without reloading it (so a half-typed reply stays):
// every element with `data-live="/path"` and an id is refreshed from that path every
// few seconds while the tab is visible. Pages work without it; they are only not live.
'use strict';
(function () {
  const parts = Array.from(document.querySelectorAll('[data-live][id]'));
  if (!parts.length) return;
  const EVERY_MS = 3000;
  const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  for (const el of parts) el.scrollTop = el.scrollHeight;

  async function refresh(el) {
    const res = await fetch(el.dataset.live, { credentials: 'same-origin', redirect: 'error' });
    if (!res.ok) return;
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const fresh = doc.getElementById(el.id);
    if (!fresh || fresh.innerHTML === el.innerHTML) return;
    const follow = atBottom(el);
    el.innerHTML = fresh.innerHTML;
    if (follow) el.scrollTop = el.scrollHeight;
  }

  let busy = false;
  setInterval(async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      await Promise.all(parts.map(refresh));
    } catch {
      // Offline or logged out: try again next time.
    } finally {
      busy = false;
    }
  }, EVERY_MS);
})();
