// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Proof of work for forms (core/pow): a form with a pow_challenge field carries a
// signed challenge in its pow_challenge field; before it is sent, this
// script finds a nonce such that SHA-256("<challenge>.<nonce>") starts with
// the challenge's number of zero bits, and puts it in pow_nonce. No
// third-party service is involved. Without JavaScript the form is sent as
// it is and the server applies a stricter rate limit instead.
"use strict";

(function (root) {
  function leadingZeroBits(bytes) {
    let n = 0;
    for (const b of bytes) {
      if (b === 0) {
        n += 8;
        continue;
      }
      return n + Math.clz32(b) - 24;
    }
    return n;
  }

  // solve tries nonces in batches of parallel WebCrypto digests.
  async function solve(challenge) {
    const want = Number(challenge.split(".")[1]);
    const enc = new TextEncoder();
    const batch = 512;
    for (let start = 0; ; start += batch) {
      const jobs = [];
      for (let i = start; i < start + batch; i++) {
        jobs.push(root.crypto.subtle.digest("SHA-256", enc.encode(challenge + "." + i)));
      }
      const hashes = await Promise.all(jobs);
      for (let k = 0; k < hashes.length; k++) {
        if (leadingZeroBits(new Uint8Array(hashes[k])) >= want) return String(start + k);
      }
    }
  }

  root.PolderPoW = { solve, leadingZeroBits };
  if (typeof document === "undefined") return;

  function start() {
    for (const form of document.querySelectorAll("form")) {
      if (!form.elements.pow_challenge || !form.elements.pow_nonce) continue;
      let solved = false;
      form.addEventListener("submit", async (ev) => {
        if (solved) return;
        ev.preventDefault();
        const status = form.querySelector(".pow-status");
        const button = form.querySelector("button[type=submit]");
        if (button) button.disabled = true;
        if (status && form.dataset.pow) status.textContent = form.dataset.pow;
        try {
          form.elements.pow_nonce.value = await solve(form.elements.pow_challenge.value);
        } catch (e) {
          // Sent without a solution: the server's no-JavaScript limit applies.
        }
        solved = true;
        if (button) button.disabled = false;
        form.submit();
      });
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof window !== "undefined" ? window : globalThis);
