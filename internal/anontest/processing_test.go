// SPDX-License-Identifier: AGPL-3.0-or-later

package anontest

import (
	"net/http"
	"testing"

	"github.com/polder-civic/polder/core/app"
	"github.com/polder-civic/polder/core/apptest"
	"github.com/polder-civic/polder/core/registry"
	"github.com/polder-civic/polder/internal/examplemodule/notes"
	"github.com/polder-civic/polder/internal/instancetest"
	"github.com/polder-civic/polder/spaces/process"
)

// declaringNotes is the example module declaring one processing activity.
type declaringNotes struct{ *notes.Module }

func (declaringNotes) Processing() []registry.Processing {
	return []registry.Processing{{Name: "privacy.core.audit", Purpose: "privacy.core.audit.purpose", Subjects: "privacy.subjects.participants",
		Retention: "privacy.retention.day", LegalBasis: "privacy.basis.legal"}}
}

// TestProcessingRegister: organisation admins see core's activities and
// those of modules that declare some, translated; others are refused.
func TestProcessingRegister(t *testing.T) {
	in := apptest.New(t, app.Options{SpaceTypes: []app.SpaceType{process.New()}, Modules: []registry.Module{declaringNotes{notes.New()}}})
	admin := in.CreateAccount("admin@example.org", "correct horse battery", true)
	alice := in.CreateAccount("alice@example.org", "correct horse battery", false)
	ac := in.Client()
	instancetest.Session(t, in, ac, admin.ID)
	b := in.App.Bundle
	ac.Get("/admin/processing?locale=fr").Must(t, http.StatusOK).Contains(t,
		b.T("fr", "privacy.register.title", nil), b.T("fr", "privacy.core.accounts", nil), b.T("fr", "privacy.core.anon.purpose", nil),
		"<code>notes</code>", b.T("fr", "privacy.basis.legal", nil))
	pc := in.Client()
	instancetest.Session(t, in, pc, alice.ID)
	pc.Get("/admin/processing").Must(t, http.StatusForbidden)
	in.Client().Get("/admin/processing").Must(t, http.StatusSeeOther)
}
