// The inbox, live: one server-sent-event stream (/inbox/events) tells this page what
// changed; the page then fetches itself once and swaps in the parts marked
// `data-live` (a half-typed reply or note stays as it is). No polling: without events
// nothing is fetched. Also: SLA timers count down, keyboard shortcuts, SLA alerts.
// Pages work without this script; they are only not live.
'use strict';
(function () {
  const head = document.getElementById('conv-head');
  const conversation = head ? head.dataset.conversation : null;
  const parts = () => Array.from(document.querySelectorAll('[data-live][id]'));
  const chat = document.getElementById('messages') || document.querySelector('.chat[data-live]');
  const atBottom = (el) => el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  if (chat) chat.scrollTop = chat.scrollHeight;

  // Fetch this page again and swap in its live parts; several events in a burst cause
  // one fetch.
  let pending = null;
  let running = false;
  function refresh() {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      if (running) return refresh();
      running = true;
      try {
        // Each part comes from the URL in its data-live attribute, or this page.
        const byUrl = new Map();
        for (const el of parts()) {
          const url = el.dataset.live || location.href;
          if (!byUrl.has(url)) byUrl.set(url, []);
          byUrl.get(url).push(el);
        }
        let doc = null;
        for (const [url, els] of byUrl) {
          const res = await fetch(url, { credentials: 'same-origin', redirect: 'error' });
          if (!res.ok) continue;
          const d = new DOMParser().parseFromString(await res.text(), 'text/html');
          if (url === location.href) doc = d;
          for (const el of els) {
            const fresh = d.getElementById(el.id);
            if (!fresh || fresh.innerHTML === el.innerHTML) continue;
            const follow = atBottom(el);
            el.innerHTML = fresh.innerHTML;
            if (follow) el.scrollTop = el.scrollHeight;
          }
        }
        if (!doc) return;
        // The agent sees the newest messages live: forms say so.
        const seen = doc.querySelector('[data-seen]');
        if (seen) for (const el of document.querySelectorAll('[data-seen]')) el.value = seen.value;
        tick();
        document.dispatchEvent(new CustomEvent('guyub:refreshed'));
      } catch {
        // Offline or logged out: the next event tries again.
      } finally {
        running = false;
      }
    }, 50);
  }

  function toast(text, href) {
    const box = document.getElementById('toasts');
    if (!box) return;
    const a = document.createElement('a');
    a.className = 'toast';
    a.textContent = text;
    a.href = href;
    box.appendChild(a);
    setTimeout(() => a.remove(), 15000);
  }

  if (window.EventSource && parts().length) {
    const es = new EventSource('/inbox/events');
    const on = (ev) => {
      let d = {};
      try { d = JSON.parse(ev.data); } catch { return; }
      if (ev.type === 'sla.breach') {
        toast((document.documentElement.lang === 'en' ? 'SLA breached: conversation #' : 'SLA terlewati: percakapan #') + d.conversation_id,
          '/conversations/' + d.conversation_id);
      }
      if (!conversation || ev.type === 'resync' || String(d.conversation_id) === conversation) refresh();
    };
    for (const kind of ['message.created', 'message.status', 'conversation.updated', 'sla.breach', 'resync']) {
      es.addEventListener(kind, on);
    }
    // On connecting (and reconnecting), catch up on what happened between the page
    // being rendered and the feed being open.
    es.addEventListener('open', () => refresh());
  }

  // SLA timers count down on the client; the server's figures come with each refresh.
  function tick() {
    const now = Date.now();
    for (const el of document.querySelectorAll('[data-due]')) {
      const due = Number(el.dataset.due);
      const left = due - now;
      const mins = Math.floor(Math.abs(left) / 60000);
      const span = mins >= 120 ? Math.floor(mins / 60) + 'j' + (mins % 60) + 'm' : mins + 'm';
      const which = el.textContent.trim().split(' ')[0];
      el.textContent = which + ' ' + (left < 0 ? '−' : '') + span;
      el.classList.toggle('sla-late', left < 0);
      const risk = Number(el.dataset.risk || 15 * 60000);
      el.classList.toggle('sla-risk', left >= 0 && left < risk);
      el.classList.toggle('sla-ok', left >= risk);
    }
  }
  setInterval(tick, 30000);

  // Selects that act at once.
  for (const sel of document.querySelectorAll('select[data-autosubmit]')) {
    sel.addEventListener('change', () => sel.form.requestSubmit());
  }

  // The reply box warns when the chosen channel's window is closed.
  const channel = document.getElementById('reply-channel');
  if (channel) {
    channel.addEventListener('change', () => {
      const opt = channel.selectedOptions[0];
      const box = document.getElementById('window-state');
      if (!opt || !box) return;
      box.textContent = '';
      if (opt.dataset.open === 'false' && opt.title) {
        const p = document.createElement('p');
        p.className = 'warning';
        p.setAttribute('role', 'alert');
        p.textContent = opt.title;
        box.appendChild(p);
      }
    });
  }

  // Keyboard shortcuts (not while typing).
  const rows = () => Array.from(document.querySelectorAll('tr[data-href]'));
  let selected = -1;
  function select(i) {
    const all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((r, j) => r.classList.toggle('selected', j === selected));
    all[selected].scrollIntoView({ block: 'nearest' });
  }
  let g = false;
  document.addEventListener('keydown', (e) => {
    const typing = e.target.closest('input, textarea, select, [contenteditable]');
    if (typing) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && e.target.form) {
        e.preventDefault();
        e.target.form.requestSubmit();
      } else if (e.key === 'Escape') {
        e.target.blur();
      }
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const click = (id) => { const f = document.getElementById(id); if (f) f.requestSubmit(); };
    const focus = (id) => { const el = document.getElementById(id); if (el) { e.preventDefault(); el.focus(); } };
    if (g) {
      g = false;
      if (e.key === 'i') location.href = '/conversations';
      return;
    }
    switch (e.key) {
      case 'j': select(selected + 1); break;
      case 'k': select(selected - 1); break;
      case 'o': case 'Enter': { const r = rows()[selected]; if (r) location.href = r.dataset.href; break; }
      case 'r': focus('reply-text'); break;
      case 'n': focus('note-text'); break;
      case 'l': focus('label-input'); break;
      case 'a': click('assign-me-form'); break;
      case 'e': click('resolve-form'); break;
      case 'g': g = true; break;
      case '?': { const h = document.querySelector('.shortcuts-hint'); if (h) h.classList.toggle('shown'); break; }
      default: return;
    }
  });
  tick();
})();
