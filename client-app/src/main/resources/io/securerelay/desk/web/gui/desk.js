// The bank desk's GUI. Every text from the desk reaches the page through textContent (never as HTML);
// requests carry the session cookie and X-Desk-Request: 1 (the CSRF defence); live updates over SSE.
'use strict';
(function () {
  const MAX_BYTES = 16 * 1024;
  const PAGE = 1000;
  const $ = (id) => document.getElementById(id);
  const encoder = new TextEncoder();
  const state = { customers: new Map(), messages: new Map(), selected: null, status: null, events: null, retryMs: 1000 };

  class HttpError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || ('HTTP ' + status));
      this.status = status;
      this.problem = problem;
    }
  }

  async function api(method, path, body) {
    const headers = { 'X-Desk-Request': '1', 'Accept': 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(path, { method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body) });
    if (res.status === 401 && path !== '/api/v1/session') {
      showLogin();
      throw new HttpError(401, null);
    }
    if (!res.ok) {
      let problem = null;
      try { problem = await res.json(); } catch (e) { /* not a problem document */ }
      throw new HttpError(res.status, problem);
    }
    return res.status === 204 ? null : res.json();
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  // ---- formatting -------------------------------------------------------------------------------
  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
  const dayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
  const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const longDayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long' });
  function sameDay(a, b) { return a.toDateString() === b.toDateString(); }
  function when(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return sameDay(d, new Date()) ? timeFmt.format(d) : dayFmt.format(d);
  }
  function full(iso) { return iso ? fullFmt.format(new Date(iso)) : '—'; }
  function groups(fp) {
    const clean = String(fp || '').replace(/[^0-9a-zA-Z]/g, '');
    return clean.match(/.{1,4}/g) || [];
  }
  // A fingerprint as a grid of 4-digit groups (easier to read out on the phone); its textContent stays "abcd ef01 …".
  function renderFingerprint(node, fp) {
    node.replaceChildren();
    node.classList.add('fp-grid');
    groups(fp).forEach((g, i) => {
      if (i) node.append(' ');
      node.append(el('span', 'fp-group', g));
    });
  }
  function fpShort(fp) { return groups(fp).slice(0, 4).join(' '); }
  function initials(label) {
    const words = String(label || '?').trim().split(/\s+/).filter(Boolean);
    return ((words[0] || '?')[0] + (words.length > 1 ? words[words.length - 1][0] : '')).toUpperCase();
  }
  const CONNECTION = { SECURE: 'Secure session', HANDSHAKING: 'Handshaking', OFFLINE: 'Offline' };
  const RELAY = { CONNECTED: 'Relay connected', CONNECTING: 'Connecting to the relay', RECONNECTING: 'Reconnecting to the relay' };

  // ---- login ------------------------------------------------------------------------------------
  function showLogin(message) {
    closeEvents();
    $('desk-view').hidden = true;
    $('login-view').hidden = false;
    const err = $('login-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('login-token').focus();
  }

  $('login-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = $('login-token').value.trim();
    const err = $('login-error');
    if (!token) { err.textContent = 'Type the API token.'; err.hidden = false; return; }
    $('login-submit').disabled = true;
    try {
      await api('POST', '/api/v1/session', { token });
      $('login-token').value = '';
      err.hidden = true;
      await showDesk();
    } catch (e) {
      err.textContent = e.status === 401 ? 'That is not the desk\'s token.' : e.message;
      err.hidden = false;
    } finally {
      $('login-submit').disabled = false;
    }
  });

  $('logout').addEventListener('click', async () => {
    try { await api('DELETE', '/api/v1/session'); } catch (e) { /* signed out anyway */ }
    state.selected = null;
    showLogin();
  });

  // ---- desk -------------------------------------------------------------------------------------
  async function showDesk() {
    $('login-view').hidden = true;
    $('desk-view').hidden = false;
    await refreshAll();
    openEvents();
  }

  async function refreshAll() {
    const [status, customers] = await Promise.all([api('GET', '/api/v1/status'), api('GET', '/api/v1/customers')]);
    renderStatus(status);
    state.customers.clear();
    customers.forEach((c) => state.customers.set(c.id, c));
    renderInbox();
    if (state.selected !== null && state.customers.has(state.selected)) {
      await loadMessages(state.selected, true);
    }
  }

  function renderStatus(s) {
    state.status = s;
    const pill = $('relay-status');
    pill.dataset.state = s.connection;
    $('relay-status-text').textContent = RELAY[s.connection] || s.connection;
    $('relay-url').textContent = s.relay || '';
    $('bank-session-id').textContent = s.bankSessionId || '';
  }

  $('copy-session-id').addEventListener('click', async () => {
    const id = state.status ? state.status.bankSessionId : '';
    try {
      await navigator.clipboard.writeText(id);
      toast('Bank ID copied');
    } catch (e) {
      const range = document.createRange();
      range.selectNodeContents($('bank-session-id'));
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      toast('Press Ctrl+C to copy');
    }
  });

  function sortedCustomers() {
    const filter = $('inbox-filter').value.trim().toLowerCase();
    const all = Array.from(state.customers.values()).filter((c) => !filter
      || String(c.label).toLowerCase().includes(filter)
      || String(c.fingerprint).toLowerCase().replace(/[^0-9a-z]/g, '').includes(filter.replace(/[^0-9a-z]/g, '') || '\u0000'));
    return all.sort((a, b) => {
      const ta = a.lastMessageAt ? Date.parse(a.lastMessageAt) : 0;
      const tb = b.lastMessageAt ? Date.parse(b.lastMessageAt) : 0;
      return tb - ta || a.id - b.id;
    });
  }

  function renderInbox() {
    const list = $('inbox');
    const focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.id : null;
    list.replaceChildren();
    const customers = sortedCustomers();
    for (const c of customers) {
      const li = el('li');
      li.setAttribute('role', 'none');
      const b = el('button', 'customer' + (c.status === 'KEY_CHANGED' ? ' blocked' : ''));
      b.type = 'button';
      b.dataset.id = String(c.id);
      b.setAttribute('role', 'option');
      b.setAttribute('aria-selected', String(c.id === state.selected));
      const avatar = el('span', 'avatar', initials(c.label));
      avatar.dataset.conn = c.connection;
      const dot = el('span', 'dot');
      dot.title = CONNECTION[c.connection] || c.connection;
      avatar.append(dot);
      const name = el('span', 'customer-name');
      name.append(el('span', 'label', c.label));
      const time = el('span', 'customer-time', when(c.lastMessageAt));
      let sub;
      if (c.status === 'KEY_CHANGED') {
        sub = el('span', 'customer-sub alert');
        sub.append(el('span', 'flag', 'KEY CHANGED'), el('span', null, 'Blocked'));
      } else {
        sub = el('span', 'customer-sub', fpShort(c.fingerprint));
      }
      b.append(avatar, name, time, sub);
      if (c.unread > 0) {
        const badge = el('span', 'badge', c.unread > 99 ? '99+' : c.unread);
        badge.setAttribute('aria-label', c.unread + ' unread');
        b.append(badge);
      } else {
        b.append(el('span'));
      }
      b.setAttribute('aria-label', c.label + ', ' + (CONNECTION[c.connection] || c.connection)
        + (c.unread ? ', ' + c.unread + ' unread' : '') + (c.status === 'KEY_CHANGED' ? ', key changed' : ''));
      b.addEventListener('click', () => select(c.id));
      li.append(b);
      list.append(li);
    }
    $('inbox-empty').hidden = state.customers.size > 0;
    const unread = Array.from(state.customers.values()).reduce((n, c) => n + c.unread, 0);
    $('inbox-total').textContent = state.customers.size + (state.customers.size === 1 ? ' customer' : ' customers')
      + (unread ? ' · ' + unread + ' unread' : '');
    if (focused) {
      const again = list.querySelector('button[data-id="' + CSS.escape(focused) + '"]');
      if (again) again.focus();
    }
  }

  $('inbox-filter').addEventListener('input', renderInbox);
  $('inbox').addEventListener('keydown', (ev) => {
    if (ev.key !== 'ArrowDown' && ev.key !== 'ArrowUp') return;
    const buttons = Array.from($('inbox').querySelectorAll('button.customer'));
    const i = buttons.indexOf(document.activeElement);
    const next = buttons[Math.max(0, Math.min(buttons.length - 1, i + (ev.key === 'ArrowDown' ? 1 : -1)))];
    if (next) { ev.preventDefault(); next.focus(); select(Number(next.dataset.id)); }
  });

  async function select(id) {
    state.selected = id;
    renderInbox();
    renderChatHead();
    $('no-selection').hidden = true;
    $('chat').hidden = false;
    $('details').hidden = $('details-toggle').getAttribute('aria-expanded') !== 'true';
    await loadMessages(id, true);
  }

  async function loadMessages(id, reload) {
    let list = reload ? [] : (state.messages.get(id) || []);
    let after = list.length ? list[list.length - 1].cursor : 0;
    for (;;) {
      const page = await api('GET', '/api/v1/customers/' + id + '/messages?after=' + after + '&limit=' + PAGE);
      list = list.concat(page);
      if (page.length < PAGE) break;
      after = page[page.length - 1].cursor;
    }
    state.messages.set(id, list);
    if (state.selected === id) {
      renderMessages();
      markRead(id);
    }
  }

  function markRead(id) {
    const list = state.messages.get(id) || [];
    const c = state.customers.get(id);
    const lastIn = list.filter((m) => m.direction === 'IN').pop();
    if (lastIn && c && c.unread > 0 && document.visibilityState === 'visible') {
      api('POST', '/api/v1/customers/' + id + '/read', { cursor: lastIn.cursor }).then(() => {
        const now = state.customers.get(id);
        if (now) { now.unread = 0; renderInbox(); }
        list.forEach((m) => { if (m.direction === 'IN' && m.cursor <= lastIn.cursor) m.state = 'READ'; });
        if (state.selected === id) setTimeout(renderMessages, 1500); // the highlight fades after a moment
      }).catch(() => { /* shown again as unread; harmless */ });
    }
  }

  function renderChatHead() {
    const c = state.customers.get(state.selected);
    if (!c) return;
    $('chat-label').textContent = c.label;
    const av = $('chat-avatar');
    av.textContent = initials(c.label);
    av.dataset.conn = c.connection;
    av.append(el('span', 'dot'));
    $('chat-connection').dataset.state = c.connection;
    $('chat-connection-text').textContent = CONNECTION[c.connection] || c.connection;
    $('chat-fingerprint-short').textContent = fpShort(c.fingerprint);
    const blocked = c.status === 'KEY_CHANGED';
    $('keychange-banner').hidden = !blocked;
    renderFingerprint($('keychange-old'), c.fingerprint);
    renderFingerprint($('keychange-new'), c.presentedFingerprint);
    $('composer-text').disabled = blocked;
    $('composer-text').placeholder = blocked ? 'Blocked until the new key is re-trusted.'
      : 'Write a reply. Enter sends, Shift+Enter adds a line.';
    updateCount();
    const st = $('details-status');
    st.textContent = blocked ? 'Key changed: blocked' : 'Trusted';
    st.className = blocked ? 'status-changed' : 'status-trusted';
    if (document.activeElement !== $('rename-label')) $('rename-label').value = c.label;
    renderFingerprint($('details-fingerprint'), c.fingerprint);
    const safety = $('details-safety');
    safety.replaceChildren();
    safety.classList.toggle('fp-grid', !!c.safetyNumber);
    if (c.safetyNumber) {
      c.safetyNumber.split(/\s+/).forEach((g, i) => {
        if (i) safety.append(' ');
        safety.append(el('span', 'fp-group', g));
      });
    } else {
      safety.textContent = 'No session up';
    }
    $('details-session').textContent = c.sessionId || 'Not seen yet';
    $('details-first').textContent = full(c.firstSeen);
    $('details-last').textContent = full(c.lastSeen);
    $('details-pending').textContent = c.pending ? c.pending + (c.pending === 1 ? ' message' : ' messages') : 'Nothing';
  }

  function renderMessages() {
    const box = $('messages');
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    box.replaceChildren();
    let lastDay = null;
    for (const m of state.messages.get(state.selected) || []) {
      const d = new Date(m.storedAt || m.sentAt);
      if (!lastDay || !sameDay(lastDay, d)) {
        box.append(el('li', 'day', sameDay(d, new Date()) ? 'Today' : longDayFmt.format(d)));
        lastDay = d;
      }
      const li = el('li', 'bubble ' + (m.direction === 'OUT' ? 'out' : 'in') + (m.state === 'RECEIVED' ? ' unread' : ''));
      li.dataset.cursor = String(m.cursor);
      li.dataset.state = m.state;
      li.append(el('div', 'text', m.text));
      const meta = el('div', 'meta');
      meta.append(el('span', 'num', '#' + m.number));
      const t = el('time', null, timeFmt.format(new Date(m.sentAt || m.storedAt)));
      t.dateTime = m.sentAt || m.storedAt;
      t.title = full(m.sentAt || m.storedAt);
      meta.append(t);
      if (m.direction === 'OUT') {
        const delivered = m.state === 'DELIVERED';
        const tick = el('span', 'tick ' + (delivered ? 'delivered' : 'queued'), delivered ? '✓✓' : '✓');
        tick.title = delivered ? 'Delivered' : 'Queued: not acknowledged yet';
        tick.setAttribute('aria-label', tick.title);
        meta.append(tick);
      }
      li.append(meta);
      box.append(li);
    }
    if (nearBottom || box.dataset.customer !== String(state.selected)) box.scrollTop = box.scrollHeight;
    box.dataset.customer = String(state.selected);
  }

  // A message's state only moves forward (QUEUED -> DELIVERED, RECEIVED -> READ). The answer to a
  // send and the live events travel apart: a DELIVERED event can arrive before the POST's answer,
  // which still says QUEUED, and must not be undone by it.
  const RANK = { QUEUED: 0, DELIVERED: 1, RECEIVED: 0, READ: 1 };

  function upsertMessage(m) {
    const list = state.messages.get(m.customerId);
    if (!list) return;
    const i = list.findIndex((x) => x.cursor === m.cursor);
    if (i >= 0) {
      if ((RANK[m.state] || 0) >= (RANK[list[i].state] || 0)) list[i] = m;
    } else {
      list.push(m);
      list.sort((a, b) => a.cursor - b.cursor);
    }
  }

  // ---- composer ---------------------------------------------------------------------------------
  function updateCount() {
    const n = encoder.encode($('composer-text').value).length;
    const count = $('composer-count');
    count.textContent = (n >= 1024 ? (n / 1024).toFixed(1) + ' KiB' : n + ' B') + ' / 16 KiB';
    count.classList.toggle('over', n > MAX_BYTES);
    const c = state.customers.get(state.selected);
    $('composer-send').disabled = n === 0 || n > MAX_BYTES || !c || c.status === 'KEY_CHANGED';
  }

  $('composer-text').addEventListener('input', updateCount);
  $('composer-text').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      $('composer').requestSubmit();
    }
  });
  $('composer').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = state.selected;
    const text = $('composer-text').value;
    if (id === null || !text.trim() || encoder.encode(text).length > MAX_BYTES) return;
    const err = $('composer-error');
    $('composer-send').disabled = true;
    try {
      const m = await api('POST', '/api/v1/customers/' + id + '/messages', { text });
      $('composer-text').value = '';
      err.hidden = true;
      upsertMessage(m);
      if (state.selected === id) renderMessages();
      $('messages').scrollTop = $('messages').scrollHeight;
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    } finally {
      updateCount();
      $('composer-text').focus();
    }
  });

  // ---- details, rename, re-trust ----------------------------------------------------------------
  $('details-toggle').addEventListener('click', () => {
    const open = $('details-toggle').getAttribute('aria-expanded') !== 'true';
    $('details-toggle').setAttribute('aria-expanded', String(open));
    $('details').hidden = !open;
  });

  $('rename-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const id = state.selected;
    const label = $('rename-label').value.trim();
    if (id === null || !label) return;
    try {
      const c = await api('PATCH', '/api/v1/customers/' + id, { label });
      state.customers.set(c.id, c);
      renderInbox();
      renderChatHead();
      toast('Label saved');
    } catch (e) {
      toast(e.message);
    }
  });

  $('retrust-open').addEventListener('click', () => {
    const c = state.customers.get(state.selected);
    if (!c) return;
    renderFingerprint($('retrust-old'), c.fingerprint);
    renderFingerprint($('retrust-new'), c.presentedFingerprint);
    $('retrust-confirm-check').checked = false;
    $('retrust-confirm').disabled = true;
    $('retrust-error').hidden = true;
    $('retrust-dialog').dataset.customer = String(c.id);
    $('retrust-dialog').dataset.fingerprint = c.presentedFingerprint || '';
    $('retrust-dialog').showModal();
  });
  $('retrust-confirm-check').addEventListener('change', () => {
    $('retrust-confirm').disabled = !$('retrust-confirm-check').checked;
  });
  $('retrust-cancel').addEventListener('click', () => $('retrust-dialog').close());
  $('retrust-confirm').addEventListener('click', async () => {
    const dialog = $('retrust-dialog');
    if (!$('retrust-confirm-check').checked) return;
    const id = Number(dialog.dataset.customer);
    try {
      const c = await api('POST', '/api/v1/customers/' + id + '/retrust', { fingerprint: dialog.dataset.fingerprint });
      state.customers.set(c.id, c);
      dialog.close();
      renderInbox();
      renderChatHead();
      toast('New key trusted');
    } catch (e) {
      const err = $('retrust-error');
      err.textContent = e.message;
      err.hidden = false;
    }
  });

  let toastTimer = null;
  function toast(text) {
    const t = $('toast');
    t.textContent = text;
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, 2500);
  }

  // ---- live events ------------------------------------------------------------------------------
  function setLive(s, text) {
    $('live').dataset.state = s;
    $('live-text').textContent = text;
  }

  function closeEvents() {
    if (state.events) { state.events.close(); state.events = null; }
  }

  function openEvents() {
    closeEvents();
    const es = new EventSource('/api/v1/events', { withCredentials: true });
    state.events = es;
    let opened = false;
    es.onopen = () => {
      state.retryMs = 1000;
      setLive('live', 'Live');
      if (opened) refreshAll().catch(() => {});
      opened = true;
    };
    es.onerror = () => {
      setLive('reconnecting', 'Reconnecting…');
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (the server refused, e.g. the session expired): check, then try again.
        const wait = state.retryMs;
        state.retryMs = Math.min(30000, state.retryMs * 2);
        setTimeout(() => {
          if (state.events !== es) return;
          api('GET', '/api/v1/status').then(() => { openEvents(); refreshAll().catch(() => {}); }).catch(() => {});
        }, wait);
      }
    };
    const on = (type, f) => es.addEventListener(type, (e) => {
      let data;
      try { data = JSON.parse(e.data); } catch (x) { return; }
      f(data);
    });
    on('MESSAGE', onMessage);
    on('DELIVERED', onMessage);
    on('CUSTOMER', (ev) => { if (ev.customer) updateCustomer(ev.customer); });
    on('CONNECTION', (ev) => { if (ev.status) renderStatus(ev.status); });
  }

  function onMessage(ev) {
    if (ev.customer) state.customers.set(ev.customer.id, ev.customer);
    if (ev.message) upsertMessage(ev.message);
    renderInbox();
    if (state.selected === ev.customerId) {
      renderChatHead();
      renderMessages();
      if (ev.type === 'MESSAGE' && ev.message && ev.message.direction === 'IN') markRead(ev.customerId);
    }
  }

  function updateCustomer(c) {
    state.customers.set(c.id, c);
    renderInbox();
    if (state.selected === c.id) renderChatHead();
  }

  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && state.selected !== null) markRead(state.selected);
  });

  // ---- start ------------------------------------------------------------------------------------
  api('GET', '/api/v1/status').then(() => showDesk()).catch((e) => {
    if (e.status !== 401) showLogin('The desk did not answer: ' + e.message);
  });
})();
