// SPDX-License-Identifier: AGPL-3.0-or-later

package registry

// Processing is one processing activity of personal data, as article 30
// GDPR asks controllers to list them. Every text is an i18n message ID, so
// the register reads in the organisation's languages.
type Processing struct {
	// Name, Purpose: what the processing is and why it is done.
	Name, Purpose string
	// Data lists the categories of personal data.
	Data []string
	// Subjects says whose data it is (participants, admins…).
	Subjects string
	// Retention says how long the data is kept.
	Retention string
	// LegalBasis is the ground of article 6 GDPR (consent, public task…).
	LegalBasis string
}

// ProcessingDeclarer is an optional capability of a module (or of a core
// service): it declares its processing activities, from which
// /admin/processing generates the register of the enabled modules.
type ProcessingDeclarer interface {
	Processing() []Processing
}
