// SPDX-License-Identifier: AGPL-3.0-or-later

package blindtoken_test

import (
	"bufio"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os/exec"
	"strings"
	"testing"

	"github.com/cloudflare/circl/blindsign/blindrsa"

	"github.com/polder-civic/polder/core/blindtoken"
	theme "github.com/polder-civic/polder/themes/default"
)

// nodeDriver runs the browser's script in node: it prepares and blinds a
// token for the key given as arguments, prints it, reads the blind
// signature and prints the finalized signature.
const nodeDriver = `
const readline = require("readline");
const src = require("fs").readFileSync(process.argv[1], "utf8");
new Function(src)();
const B = globalThis.PolderBlind;
(async () => {
  const msg = B.prepare();
  const { blinded, state } = await B.blind(B.unb64url(process.argv[2]), B.unb64url(process.argv[3]), msg);
  console.log(JSON.stringify({ msg: B.b64url(msg), blinded: B.b64url(blinded) }));
  const rl = readline.createInterface({ input: process.stdin });
  for await (const line of rl) {
    try { console.log(JSON.stringify({ sig: B.b64url(B.finalize(state, B.unb64url(line.trim()))) })); }
    catch (e) { console.log(JSON.stringify({ err: e.message })); }
    rl.close();
  }
})();
`

// TestBrowserScriptInterop checks static/blindtoken.js against circl: the
// server blindly signs what the script blinded, the script finalizes, and
// circl's verifier accepts the token; a tampered blind signature is
// refused by the script. It needs node, which is how the script is run
// outside a browser.
func TestBrowserScriptInterop(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the browser script cannot be run")
	}
	src, err := fs.ReadFile(theme.FS(), "static/blindtoken.js")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := dir + "/blindtoken.js"
	if err := writeFile(script, src); err != nil {
		t.Fatal(err)
	}
	sk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e := []byte{byte(sk.E >> 16), byte(sk.E >> 8), byte(sk.E)}
	enc := base64.RawURLEncoding.EncodeToString
	for round, tamper := range []bool{false, true, false} {
		cmd := exec.Command(node, "-e", nodeDriver, script, enc(sk.N.Bytes()), enc(e))
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		rd := bufio.NewScanner(stdout)
		rd.Buffer(make([]byte, 1<<16), 1<<20)
		if !rd.Scan() {
			t.Fatalf("no output from the script: %s", stderr.String())
		}
		var first struct{ Msg, Blinded string }
		if err := json.Unmarshal(rd.Bytes(), &first); err != nil {
			t.Fatalf("%v: %s", err, rd.Text())
		}
		msg, _ := base64.RawURLEncoding.DecodeString(first.Msg)
		blinded, _ := base64.RawURLEncoding.DecodeString(first.Blinded)
		if len(msg) != 64 || len(blinded) != 256 {
			t.Fatalf("round %d: message %d bytes, blinded %d bytes", round, len(msg), len(blinded))
		}
		bs, err := blindrsa.NewSigner(sk).BlindSign(blinded)
		if err != nil {
			t.Fatal(err)
		}
		if tamper {
			bs[5] ^= 1
		}
		stdin.Write([]byte(enc(bs) + "\n"))
		stdin.Close()
		if !rd.Scan() {
			t.Fatalf("no signature from the script: %s", stderr.String())
		}
		var second struct{ Sig, Err string }
		if err := json.Unmarshal(rd.Bytes(), &second); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if tamper {
			if second.Err == "" {
				t.Fatal("the script accepted a tampered blind signature")
			}
			continue
		}
		if second.Err != "" {
			t.Fatalf("round %d: script: %s", round, second.Err)
		}
		sig, _ := base64.RawURLEncoding.DecodeString(second.Sig)
		v, _ := blindrsa.NewVerifier(blindtoken.Variant, &sk.PublicKey)
		if err := v.Verify(msg, sig); err != nil {
			t.Fatalf("round %d: circl refuses the script's token: %v", round, err)
		}
		// The signer never saw msg: the blinded value is not the encoded
		// message itself (it differs in every round).
		if strings.Contains(string(blinded), string(msg)) {
			t.Fatal("the blinded message contains the token")
		}
	}
}
