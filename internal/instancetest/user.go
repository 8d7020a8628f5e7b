// SPDX-License-Identifier: AGPL-3.0-or-later

package instancetest

import (
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	"github.com/polder-civic/polder/core/accounts"
	"github.com/polder-civic/polder/core/apptest"
)

// User is a signed-in test client: a confirmed account, a browser-like
// client whose session is logged in as it, and that session's CSRF token.
type User struct {
	Acc    *accounts.Account
	Client *apptest.Client
	CSRF   string
}

var userSeq atomic.Int64

// NewUser inserts a confirmed account named after name (an organisation
// admin when admin is set) and signs a new client in as it. The account
// has no password, so tests pay no argon2id hash per user.
func NewUser(tb testing.TB, in *apptest.Instance, name string, admin bool) *User {
	tb.Helper()
	n := userSeq.Add(1)
	email := fmt.Sprintf("%s%d@example.org", name, n)
	now := time.Now().UTC()
	acc := &accounts.Account{OrganisationID: in.Org.ID, Email: &email, Name: name, Nickname: fmt.Sprintf("%s%d", name, n),
		Kind: accounts.KindPerson, OrgAdmin: admin, ConfirmedAt: &now}
	if err := in.App.DB.Create(acc).Error; err != nil {
		tb.Fatalf("creating account: %v", err)
	}
	c := in.Client()
	return &User{Acc: acc, Client: c, CSRF: Session(tb, in, c, acc.ID)}
}

// Post sends a form from the user's session, with its CSRF token.
func (u *User) Post(path string, form url.Values) *apptest.Response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("_csrf", u.CSRF)
	return u.Client.PostRaw(path, form)
}
