// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// TopicPage lists every contribution a topic counts, with links back.
type TopicPage struct {
	Base
	View          *View
	Theme         *ThemeView
	Topic         *TopicView
	Contributions []Source
}

func (h *handlers) topic(c echo.Context) error {
	b := h.base(c)
	v, err := h.view(c, b)
	if err != nil {
		return err
	}
	ti, err := intParam(c, "theme")
	if err != nil {
		return err
	}
	k, err := intParam(c, "topic")
	if err != nil {
		return err
	}
	th, tp, ok := v.Topic(ti, k)
	if !ok {
		return perr.NotFound("topic")
	}
	page := TopicPage{Base: b, View: v, Theme: th, Topic: tp}
	for _, id := range tp.IDs {
		src, ok := v.Sources[id]
		if !ok {
			src = Source{ID: id}
		}
		page.Contributions = append(page.Contributions, src)
	}
	return h.s.Render(c, http.StatusOK, "synthesis/topic", page)
}
