// SPDX-License-Identifier: AGPL-3.0-or-later

package mail

import (
	"context"
	"sync"
)

// Recorder keeps mails in memory for tests.
type Recorder struct {
	mu   sync.Mutex
	sent []Message
}

// NewRecorder returns an empty recorder.
func NewRecorder() *Recorder { return &Recorder{} }

// Send records the mail.
func (r *Recorder) Send(_ context.Context, m Message) error {
	if err := m.validate(); err != nil {
		return err
	}
	r.mu.Lock()
	r.sent = append(r.sent, m)
	r.mu.Unlock()
	return nil
}

// Sent returns every mail recorded so far, oldest first.
func (r *Recorder) Sent() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Message(nil), r.sent...)
}

// Last returns the last mail sent to an address, and whether there is one.
func (r *Recorder) Last(to string) (Message, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.sent) - 1; i >= 0; i-- {
		if r.sent[i].To == to {
			return r.sent[i], true
		}
	}
	return Message{}, false
}
