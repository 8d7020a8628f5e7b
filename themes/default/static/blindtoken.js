// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Untraceable participation, the participant's side (core/blindtoken):
// RSA blind signatures, RFC 9474, variant RSABSSA-SHA384-PSS-Randomized
// (the one the server's library, cloudflare/circl, implements as
// SHA384PSSRandomized). The token is drawn, prepared and blinded HERE, in
// the browser; the server only ever sees the blinded value, so it cannot
// recognise the token when it is redeemed. Served as a static file: the
// site's CSP allows no inline script.
"use strict";

(function (root) {
  const HASH_LEN = 48; // SHA-384
  const SALT_LEN = 48; // PSS salt: the hash length in this variant
  const PREFIX_LEN = 32; // the "Randomized" message prefix

  function b64url(bytes) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function unb64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function os2ip(bytes) {
    let x = 0n;
    for (const b of bytes) x = (x << 8n) | BigInt(b);
    return x;
  }

  function i2osp(x, len) {
    const out = new Uint8Array(len);
    for (let i = len - 1; i >= 0; i--) {
      out[i] = Number(x & 0xffn);
      x >>= 8n;
    }
    if (x !== 0n) throw new Error("integer too large");
    return out;
  }

  function bitLen(x) {
    return x.toString(2).length;
  }

  function modPow(b, e, m) {
    let r = 1n;
    b %= m;
    while (e > 0n) {
      if (e & 1n) r = (r * b) % m;
      b = (b * b) % m;
      e >>= 1n;
    }
    return r;
  }

  function gcd(a, b) {
    while (b) [a, b] = [b, a % b];
    return a;
  }

  function modInverse(a, m) {
    let [oldR, r] = [a % m, m];
    let [oldS, s] = [1n, 0n];
    while (r !== 0n) {
      const q = oldR / r;
      [oldR, r] = [r, oldR - q * r];
      [oldS, s] = [s, oldS - q * s];
    }
    if (oldR !== 1n) throw new Error("not invertible");
    return ((oldS % m) + m) % m;
  }

  function random(n) {
    const b = new Uint8Array(n);
    root.crypto.getRandomValues(b);
    return b;
  }

  async function sha384(bytes) {
    return new Uint8Array(await root.crypto.subtle.digest("SHA-384", bytes));
  }

  function concat(...parts) {
    const len = parts.reduce((n, p) => n + p.length, 0);
    const out = new Uint8Array(len);
    let off = 0;
    for (const p of parts) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  }

  // MGF1 with SHA-384 (RFC 8017, B.2.1).
  async function mgf1(seed, len) {
    const out = new Uint8Array(len);
    let off = 0;
    for (let c = 0; off < len; c++) {
      const h = await sha384(concat(seed, i2osp(BigInt(c), 4)));
      out.set(h.subarray(0, Math.min(h.length, len - off)), off);
      off += h.length;
    }
    return out;
  }

  // EMSA-PSS-ENCODE (RFC 8017, 9.1.1) with SHA-384 and a given salt.
  async function pssEncode(msg, emBits, salt) {
    const mHash = await sha384(msg);
    const emLen = Math.ceil(emBits / 8);
    if (emLen < HASH_LEN + salt.length + 2) throw new Error("modulus too small");
    const h = await sha384(concat(new Uint8Array(8), mHash, salt));
    const db = new Uint8Array(emLen - HASH_LEN - 1);
    db[emLen - salt.length - HASH_LEN - 2] = 0x01;
    db.set(salt, emLen - salt.length - HASH_LEN - 1);
    const mask = await mgf1(h, db.length);
    for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
    db[0] &= 0xff >> (8 * emLen - emBits);
    return concat(db, h, new Uint8Array([0xbc]));
  }

  // prepare draws a 32-byte token and prepends the 32-byte random prefix.
  function prepare() {
    return concat(random(PREFIX_LEN), random(32));
  }

  // blind returns the blinded message to send and the state finalize
  // needs (which never leaves the device). salt and r may be given for
  // tests; otherwise they are drawn.
  async function blind(nBytes, eBytes, msg, salt, r) {
    const n = os2ip(nBytes);
    const e = os2ip(eBytes);
    const kLen = Math.ceil(bitLen(n) / 8);
    const em = await pssEncode(msg, bitLen(n) - 1, salt || random(SALT_LEN));
    const m = os2ip(em);
    if (gcd(m, n) !== 1n) throw new Error("invalid message");
    if (r === undefined) {
      do {
        r = os2ip(random(kLen + 16)) % n;
      } while (r === 0n || gcd(r, n) !== 1n);
    }
    const rInv = modInverse(r, n);
    const z = (m * modPow(r, e, n)) % n;
    return { blinded: i2osp(z, kLen), state: { n, e, m, rInv, kLen } };
  }

  // finalize unblinds the server's blind signature and checks it.
  function finalize(state, blindSig) {
    const { n, e, m, rInv, kLen } = state;
    if (blindSig.length !== kLen) throw new Error("unexpected size");
    const s = (os2ip(blindSig) * rInv) % n;
    if (modPow(s, e, n) !== m) throw new Error("invalid signature");
    return i2osp(s, kLen);
  }

  const api = { b64url, unb64url, prepare, blind, finalize, os2ip, i2osp };
  root.PolderBlind = api;

  // The page: #anon-issue carries the key and issuance URLs and the
  // session's CSRF token; the button appears only when this script runs.
  if (typeof document === "undefined") return;
  function start() {
    const box = document.getElementById("anon-issue");
    if (!box) return;
    const button = document.getElementById("anon-issue-button");
    const status = document.getElementById("anon-issue-status");
    const out = document.getElementById("anon-token-out");
    const label = document.getElementById("anon-token-label");
    button.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      status.textContent = box.dataset.msgWorking;
      try {
        const kr = await fetch(box.dataset.key, { headers: { Accept: "application/json" }, credentials: "same-origin" });
        if (!kr.ok) throw new Error("key " + kr.status);
        const key = await kr.json();
        const msg = prepare();
        const { blinded, state } = await blind(unb64url(key.n), unb64url(key.e), msg);
        const ir = await fetch(box.dataset.issue, {
          method: "POST",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRF-Token": box.dataset.csrf },
          body: JSON.stringify({ blinded: b64url(blinded) }),
        });
        if (!ir.ok) {
          const err = await ir.json().catch(() => ({}));
          throw new Error(err.message || "issue " + ir.status);
        }
        const sig = finalize(state, unb64url((await ir.json()).blind_signature));
        out.value = b64url(msg) + "." + b64url(sig);
        out.hidden = false;
        label.hidden = false;
        button.hidden = true;
        status.textContent = box.dataset.msgDone;
        out.focus();
        out.select();
      } catch (e) {
        status.textContent = box.dataset.msgFailed + " (" + e.message + ")";
        button.disabled = false;
      }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof window !== "undefined" ? window : globalThis);
