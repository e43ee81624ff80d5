/*! Guyub web chat widget. Embed on a cooperative's site:
 *  <script src="https://GUYUB-HOST/webchat.js" data-channel="CHANNEL-ID" async></script>
 *  The visitor is anonymous until staff link them to a member. AGPL-3.0-or-later. */
(function () {
  'use strict';
  var me = document.currentScript;
  if (!me || !me.dataset.channel) return;
  var base = new URL(me.src).origin;
  var channel = me.dataset.channel;
  var key = 'guyub-webchat-' + base + '-' + channel;
  var state = JSON.parse(localStorage.getItem(key) || '{}');
  var lastId = 0;
  var timer = null;
  var lang = (document.documentElement.lang || navigator.language || 'id').slice(0, 2);
  var t = lang === 'en'
    ? { open: 'Chat with us', title: 'Chat with the cooperative', ph: 'Write a message…', send: 'Send', fail: 'Not sent, try again' }
    : { open: 'Chat dengan kami', title: 'Chat dengan koperasi', ph: 'Tulis pesan…', send: 'Kirim', fail: 'Gagal terkirim, coba lagi' };

  function el(tag, css, text) {
    var e = document.createElement(tag);
    if (css) Object.assign(e.style, css);
    if (text) e.textContent = text;
    return e;
  }
  var button = el('button', { position: 'fixed', right: '20px', bottom: '20px', zIndex: 2147483000, padding: '12px 18px',
    borderRadius: '24px', border: 'none', background: '#0f766e', color: '#fff', font: '15px system-ui, sans-serif', cursor: 'pointer',
    boxShadow: '0 4px 14px rgba(0,0,0,.2)' }, t.open);
  button.setAttribute('data-guyub', 'open');
  var panel = el('div', { position: 'fixed', right: '20px', bottom: '76px', width: '320px', maxWidth: 'calc(100vw - 40px)', height: '420px',
    display: 'none', flexDirection: 'column', background: '#fff', border: '1px solid #d1d5db', borderRadius: '12px', zIndex: 2147483000,
    font: '14px system-ui, sans-serif', boxShadow: '0 8px 24px rgba(0,0,0,.2)', overflow: 'hidden' });
  panel.setAttribute('data-guyub', 'panel');
  var head = el('div', { background: '#0f766e', color: '#fff', padding: '10px 14px', fontWeight: '600' }, t.title);
  var list = el('div', { flex: '1', overflowY: 'auto', padding: '10px', display: 'flex', flexDirection: 'column', gap: '6px' });
  list.setAttribute('data-guyub', 'messages');
  var form = el('form', { display: 'flex', borderTop: '1px solid #e5e7eb' });
  var input = el('input', { flex: '1', border: 'none', padding: '10px', font: 'inherit' });
  input.placeholder = t.ph;
  input.setAttribute('aria-label', t.ph);
  var send = el('button', { border: 'none', background: 'none', color: '#0f766e', fontWeight: '600', padding: '0 14px', cursor: 'pointer' }, t.send);
  send.type = 'submit';
  form.append(input, send);
  panel.append(head, list, form);

  function bubble(m) {
    var mine = m.from === 'visitor';
    var b = el('div', { alignSelf: mine ? 'flex-end' : 'flex-start', background: mine ? '#ccfbf1' : '#f3f4f6', padding: '6px 10px',
      borderRadius: '10px', maxWidth: '80%', whiteSpace: 'pre-wrap', wordBreak: 'break-word' }, m.text);
    b.setAttribute('data-from', m.from);
    list.append(b);
    list.scrollTop = list.scrollHeight;
  }
  function session() {
    if (state.token) return Promise.resolve(state.token);
    return fetch(base + '/webchat/' + channel + '/session', { method: 'POST' })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (s) { state = s; localStorage.setItem(key, JSON.stringify(s)); return s.token; });
  }
  function poll() {
    if (!state.token) return;
    fetch(base + '/webchat/' + channel + '/messages?after=' + lastId + '&token=' + encodeURIComponent(state.token))
      .then(function (r) { return r.ok ? r.json() : { messages: [] }; })
      .then(function (d) { d.messages.forEach(function (m) { lastId = Math.max(lastId, m.id); bubble(m); }); })
      .catch(function () {});
  }
  function uid() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    var msg = { text: text, client_id: uid() };
    session().then(function (token) {
      msg.token = token;
      return fetch(base + '/webchat/' + channel + '/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(msg) });
    }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      setTimeout(poll, 400);
    }).catch(function () { bubble({ from: 'cooperative', text: t.fail }); input.value = text; });
  });
  button.addEventListener('click', function () {
    var open = panel.style.display === 'none';
    panel.style.display = open ? 'flex' : 'none';
    clearInterval(timer);
    if (open) { poll(); timer = setInterval(poll, 3000); input.focus(); }
  });
  document.body.append(button, panel);
})();
