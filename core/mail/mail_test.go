// SPDX-License-Identifier: AGPL-3.0-or-later

package mail

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/polder-civic/polder/config"
)

// fakeSMTP is a minimal SMTP server on the loopback interface that accepts
// one mail and hands over its envelope and data. With starttls it offers
// STARTTLS: it upgrades the connection with tlsCfg, or refuses when
// tlsCfg is nil.
func fakeSMTP(t *testing.T, starttls bool, tlsCfg *tls.Config) (port int, got chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got = make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer func() { conn.Close() }()
		r := bufio.NewReader(conn)
		say := func(s string) { io.WriteString(conn, s+"\r\n") }
		var log strings.Builder
		secure := false
		say("220 fake ESMTP")
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			cmd := strings.ToUpper(strings.TrimSpace(line))
			switch {
			case strings.HasPrefix(cmd, "EHLO"):
				switch {
				case secure:
					say("250-fake")
					say("250 AUTH PLAIN")
				case starttls:
					say("250-fake")
					say("250 STARTTLS")
				default:
					say("250 fake")
				}
			case strings.HasPrefix(cmd, "STARTTLS"):
				if tlsCfg == nil {
					say("454 TLS not available")
					continue
				}
				say("220 go ahead")
				tc := tls.Server(conn, tlsCfg)
				if err := tc.Handshake(); err != nil {
					return
				}
				conn, r, secure = tc, bufio.NewReader(tc), true
				log.WriteString("TLS\n")
			case strings.HasPrefix(cmd, "AUTH PLAIN"):
				log.WriteString(strings.TrimSpace(line) + "\n")
				say("235 ok")
			case strings.HasPrefix(cmd, "MAIL"), strings.HasPrefix(cmd, "RCPT"):
				log.WriteString(strings.TrimSpace(line) + "\n")
				say("250 ok")
			case cmd == "DATA":
				say("354 go on")
				for {
					l, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if l == ".\r\n" {
						break
					}
					log.WriteString(l)
				}
				say("250 queued")
			case cmd == "QUIT":
				say("221 bye")
				got <- log.String()
				return
			default:
				say("502 unknown")
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, got
}

// selfSigned returns a server certificate for host and a pool trusting it.
func selfSigned(t *testing.T, host string) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, BasicConstraintsValid: true, IsCA: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func TestSMTPSenderUpgradesWithSTARTTLSBeforeAuth(t *testing.T) {
	const host = "mail.example.org"
	cert, pool := selfSigned(t, host)
	port, got := fakeSMTP(t, true, &tls.Config{Certificates: []tls.Certificate{cert}})
	s := NewSMTP(config.SMTP{Host: host, Port: port, User: "polder", Password: "s3cret", From: "noreply@city.example"})
	s.dialAddr = "127.0.0.1:" + strconv.Itoa(port)
	s.TLS = &tls.Config{ServerName: host, RootCAs: pool, MinVersion: tls.VersionTLS12}
	if err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "x", Text: "y"}); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var log string
	select {
	case log = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no mail received")
	}
	tlsAt, authAt := strings.Index(log, "TLS\n"), strings.Index(log, "AUTH PLAIN")
	if tlsAt < 0 || authAt < 0 || authAt < tlsAt {
		t.Fatalf("want TLS before AUTH, got:\n%s", log)
	}
	if !strings.Contains(log, "RCPT TO:<ana@example.org>") {
		t.Errorf("no recipient:\n%s", log)
	}
}

func TestSMTPSenderRefusesUntrustedCertificate(t *testing.T) {
	const host = "mail.example.org"
	cert, _ := selfSigned(t, host)
	port, _ := fakeSMTP(t, true, &tls.Config{Certificates: []tls.Certificate{cert}})
	s := NewSMTP(config.SMTP{Host: host, Port: port, User: "polder", Password: "s3cret", From: "noreply@city.example"})
	s.dialAddr = "127.0.0.1:" + strconv.Itoa(port)
	if err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "x", Text: "y"}); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a STARTTLS certificate failure", err)
	}
}

func TestSMTPSenderDeliversToLocalRelay(t *testing.T) {
	port, got := fakeSMTP(t, false, nil)
	s := NewSMTP(config.SMTP{Host: "127.0.0.1", Port: port, From: "Polder <noreply@city.example>"})
	msg := Message{To: "ana@example.org", Subject: "Confirmez votre adresse é", Text: "Bonjour,\nlien : http://x/confirm?t=abc=def\n"}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send: %v", err)
	}
	var data string
	select {
	case data = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no mail received")
	}
	for _, want := range []string{"MAIL FROM:<noreply@city.example>", "RCPT TO:<ana@example.org>", "Content-Type: text/plain; charset=utf-8"} {
		if !strings.Contains(data, want) {
			t.Errorf("data lacks %q:\n%s", want, data)
		}
	}
	// The subject is RFC 2047-encoded and decodes back to the original.
	var subj string
	for _, l := range strings.Split(data, "\r\n") {
		if strings.HasPrefix(l, "Subject: ") {
			subj = strings.TrimPrefix(l, "Subject: ")
		}
	}
	dec, err := new(mime.WordDecoder).DecodeHeader(subj)
	if err != nil || dec != msg.Subject {
		t.Errorf("subject %q decodes to %q (%v), want %q", subj, dec, err, msg.Subject)
	}
	// The body decodes back to the text (with CRLF line ends).
	_, body, _ := strings.Cut(data, "\r\n\r\n")
	b, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(body)))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(msg.Text, "\n", "\r\n"); strings.TrimRight(string(b), "\r\n") != strings.TrimRight(want, "\r\n") {
		t.Errorf("body %q, want %q", b, want)
	}
}

func TestSMTPSenderRefusesClearTextToRemoteHost(t *testing.T) {
	// The server is named as a remote host, so the sender must insist on
	// STARTTLS, which this server does not offer.
	port, _ := fakeSMTP(t, false, nil)
	s := NewSMTP(config.SMTP{Host: "mail.example.org", Port: port, From: "noreply@city.example"})
	s.dialAddr = "127.0.0.1:" + strconv.Itoa(port)
	err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "x", Text: "y"})
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("err = %v, want a refusal mentioning STARTTLS", err)
	}
}

func TestSMTPSenderFailsWhenSTARTTLSFails(t *testing.T) {
	port, _ := fakeSMTP(t, true, nil)
	s := NewSMTP(config.SMTP{Host: "127.0.0.1", Port: port, From: "noreply@city.example"})
	if err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "x", Text: "y"}); err == nil {
		t.Fatal("send succeeded although STARTTLS failed")
	}
}

func TestHeaderInjectionRefused(t *testing.T) {
	for name, s := range map[string]Sender{"log": LogSender{}, "recorder": NewRecorder(), "smtp": NewSMTP(config.SMTP{Host: "127.0.0.1", Port: 1, From: "a@b.c"})} {
		t.Run(name, func(t *testing.T) {
			err := s.Send(context.Background(), Message{To: "a@b.c", Subject: "hi\r\nBcc: victim@example.org", Text: "x"})
			if err == nil {
				t.Fatal("subject with a line break accepted")
			}
		})
	}
}

func TestNewPicksSenderByHost(t *testing.T) {
	if _, ok := New(config.SMTP{}).(LogSender); !ok {
		t.Error("no host: want LogSender")
	}
	if _, ok := New(config.SMTP{Host: "mail.example.org"}).(*SMTPSender); !ok {
		t.Error("host set: want *SMTPSender")
	}
}

func TestRecorderLast(t *testing.T) {
	r := NewRecorder()
	_ = r.Send(context.Background(), Message{To: "a@x.org", Subject: "1"})
	_ = r.Send(context.Background(), Message{To: "b@x.org", Subject: "2"})
	_ = r.Send(context.Background(), Message{To: "a@x.org", Subject: "3"})
	if m, ok := r.Last("a@x.org"); !ok || m.Subject != "3" {
		t.Errorf("Last = %+v, %v", m, ok)
	}
	if _, ok := r.Last("c@x.org"); ok {
		t.Error("Last found a mail never sent")
	}
	if n := len(r.Sent()); n != 3 {
		t.Errorf("Sent has %d mails", n)
	}
}
