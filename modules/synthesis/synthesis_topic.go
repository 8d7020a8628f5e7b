// SPDX-License-Identifier: AGPL-3.0-or-later

package synthesis

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/core/perr"
)

// topicPageSize is how many contributions a topic page lists at a time:
// a topic of thousands stays one quick page.
const topicPageSize = 200

// TopicPage lists the contributions a topic counts, with links back, a
// page at a time.
type TopicPage struct {
	Base
	View          *View
	Theme         *ThemeView
	Topic         *TopicView
	Contributions []Source
	// First is the number of the first contribution listed (from 1), for
	// the list's numbering; Page of Pages, with links to the others.
	First, Page, Pages int
	PrevURL, NextURL   string
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
	// ?page=N, from 1; out of range goes to the nearest page.
	page.Pages = max(1, (len(tp.IDs)+topicPageSize-1)/topicPageSize)
	n, err := strconv.Atoi(c.QueryParam("page"))
	if err != nil || n < 1 {
		n = 1
	}
	page.Page = min(n, page.Pages)
	if page.Page > 1 {
		page.PrevURL = "?page=" + strconv.Itoa(page.Page-1)
	}
	if page.Page < page.Pages {
		page.NextURL = "?page=" + strconv.Itoa(page.Page+1)
	}
	from := (page.Page - 1) * topicPageSize
	page.First = from + 1
	for _, id := range tp.IDs[from:min(len(tp.IDs), from+topicPageSize)] {
		src, ok := v.Sources[id]
		if !ok {
			src = Source{ID: id}
		}
		page.Contributions = append(page.Contributions, src)
	}
	return h.s.Render(c, http.StatusOK, "synthesis/topic", page)
}
