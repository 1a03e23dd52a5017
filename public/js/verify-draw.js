// "Vérifier le tirage": recomputes a published draw (algorithm version 1, DESIGN §6) in the
// browser from /concours/<slug>/tirage.json, with WebCrypto only. Independent of the server's code.
/* global TextEncoder, crypto */
(function () {
  'use strict';
  var enc = new TextEncoder();
  var TWO_48 = 281474976710656; // 2^48, exact in a double

  function hex(buf) {
    var b = new Uint8Array(buf);
    var s = '';
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
    return s;
  }
  function unhex(h) {
    var out = new Uint8Array(h.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(h.substr(i * 2, 2), 16);
    return out;
  }
  function sha256(bytes) {
    return crypto.subtle.digest('SHA-256', bytes);
  }
  function codeUnitCompare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  async function recompute(data) {
    var entries = data.entries.slice().sort(codeUnitCompare);
    var listHash = hex(await sha256(enc.encode(entries.join('\n'))));
    var seedHash = hex(await sha256(unhex(data.seed)));
    var keyBytes = await sha256(enc.encode(data.contestId + '|' + listHash + '|' + data.seed));
    var key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    var block = new Uint8Array(0);
    var pos = 0;
    var counter = 0;
    async function nextByte() {
      if (pos >= block.length) {
        var c = new Uint8Array(8);
        var v = counter++;
        for (var k = 7; k >= 0; k--) { c[k] = v % 256; v = Math.floor(v / 256); }
        block = new Uint8Array(await crypto.subtle.sign('HMAC', key, c));
        pos = 0;
      }
      return block[pos++];
    }
    async function uniform(n) {
      var limit = TWO_48 - (TWO_48 % n);
      for (;;) {
        var x = 0;
        for (var k = 0; k < 6; k++) x = x * 256 + (await nextByte());
        if (x < limit) return x % n;
      }
    }
    var count = Math.min(data.winners + data.reserves, entries.length);
    for (var i = 0; i < count; i++) {
      var j = i + (await uniform(entries.length - i));
      var t = entries[i]; entries[i] = entries[j]; entries[j] = t;
    }
    return { listHash: listHash, seedHash: seedHash, ranking: entries.slice(0, count) };
  }

  async function verify(data) {
    var problems = [];
    if (data.algorithm !== 1) return ['Version d’algorithme inconnue : ' + data.algorithm];
    if (typeof data.seed !== 'string' || !/^[0-9a-f]{64}$/.test(data.seed)) return ['La graine publiée est illisible.'];
    var r = await recompute(data);
    if (r.seedHash !== data.seedHash) problems.push('La graine ne correspond pas à l’engagement publié avant le tirage (SHA-256).');
    if (r.listHash !== data.listHash) problems.push('La liste des participations ne correspond pas à l’empreinte publiée à la clôture.');
    if (r.ranking.length !== data.ranking.length || r.ranking.some(function (id, i) { return id !== data.ranking[i]; })) {
      problems.push('Le classement recalculé diffère du classement publié.');
    }
    return problems;
  }

  function show(box, ok, lines) {
    box.textContent = '';
    box.className = ok ? 'verify-ok' : 'verify-ko';
    var p = document.createElement('p');
    var strong = document.createElement('strong');
    strong.textContent = ok ? 'Tirage vérifié : le classement recalculé dans votre navigateur est identique au classement publié.' : 'Échec de la vérification.';
    p.appendChild(strong);
    box.appendChild(p);
    lines.forEach(function (l) { var q = document.createElement('p'); q.textContent = l; box.appendChild(q); });
  }

  var button = document.getElementById('verify-draw');
  if (button) {
    button.addEventListener('click', async function () {
      var box = document.getElementById('verify-result');
      box.textContent = 'Calcul en cours…';
      try {
        var res = await fetch(button.getAttribute('data-src'), { credentials: 'omit' });
        var data = await res.json();
        var problems = await verify(data);
        var ranking = await recompute(data).then(function (r) { return r.ranking; }).catch(function () { return []; });
        show(box, problems.length === 0, problems.length ? problems : [
          'Classement recalculé : ' + ranking.join(', '),
          'Participations : ' + data.entries.length + ' ; empreinte de la liste : ' + data.listHash,
        ]);
      } catch {
        show(box, false, ['Les données du tirage n’ont pas pu être lues.']);
      }
    });
  }

  var form = document.getElementById('receipt-check');
  if (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      var input = document.getElementById('receipt-id');
      var out = document.getElementById('receipt-result');
      var id = input.value.trim().toUpperCase().replace(/[\s-]/g, '');
      try {
        var res = await fetch(form.getAttribute('data-src'), { credentials: 'omit' });
        var data = await res.json();
        var found = data.entries.indexOf(id) >= 0;
        var rank = data.ranking ? data.ranking.indexOf(id) : -1;
        out.textContent = !id ? 'Saisissez votre numéro de reçu.' : found
          ? 'Le reçu ' + id + ' figure dans la liste du tirage' + (rank >= 0 ? ' (rang ' + (rank + 1) + ' du classement).' : '.')
          : 'Le reçu ' + id + ' ne figure pas dans la liste du tirage.';
      } catch {
        out.textContent = 'La liste n’a pas pu être lue.';
      }
    });
  }

  window.verifyDrawV1 = verify;
})();
