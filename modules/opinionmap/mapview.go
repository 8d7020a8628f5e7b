// SPDX-License-Identifier: AGPL-3.0-or-later

package opinionmap

import (
	"math"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/polder-civic/polder/modules/opinionmap/opinionmath"
)

// The map's drawing area, in SVG user units.
const (
	mapW, mapH, mapPad = 640.0, 420.0, 24.0
)

// Dot is a point drawn on the map.
type Dot struct {
	X, Y, R float64
	Group   int
	Label   string
	Title   string
}

// MapPage is the data of the map page.
type MapPage struct {
	Base
	Report *Report
	// Clusters are the base clusters (one dot each, sized by members).
	Clusters []Dot
	// Groups are the group centres, labelled.
	Groups []Dot
	// Me is the viewer's position, nil when not on the map.
	Me *Dot
	// MyGroup is the viewer's group label ("" when not clustered).
	MyGroup string
	// Statements are statement positions, when asked for.
	Statements     []Dot
	ShowStatements bool
	W, H           float64
}

// projector maps math coordinates into the drawing area, keeping the
// aspect ratio so that distances mean the same along both axes.
type projector struct {
	minX, minY, scale float64
}

func newProjector(pts []opinionmath.Point) projector {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	if len(pts) == 0 {
		return projector{scale: 1}
	}
	w, h := math.Max(maxX-minX, 1e-9), math.Max(maxY-minY, 1e-9)
	scale := math.Min((mapW-2*mapPad)/w, (mapH-2*mapPad)/h)
	// Centre the drawing.
	minX -= ((mapW-2*mapPad)/scale - w) / 2
	minY -= ((mapH-2*mapPad)/scale - h) / 2
	return projector{minX: minX, minY: minY, scale: scale}
}

func (p projector) at(pt opinionmath.Point) (float64, float64) {
	x := mapPad + (pt[0]-p.minX)*p.scale
	// SVG's y grows downwards.
	y := mapH - mapPad - (pt[1]-p.minY)*p.scale
	return math.Round(x*10) / 10, math.Round(y*10) / 10
}

// statementPoint is where a virtual participant agreeing with the
// statement alone would stand (its position on the map, OPINIONMAP §2).
func statementPoint(pca opinionmath.PCA, j int) opinionmath.Point {
	n := float64(len(pca.StatementIDs))
	sc := math.Sqrt(n)
	d := 1 - pca.Center[j]
	return opinionmath.Point{d * pca.Components[0][j] * sc, d * pca.Components[1][j] * sc}
}

func (h *handlers) mapPage(c echo.Context) error {
	rep, res, err := h.report(c)
	if err != nil {
		return err
	}
	d := MapPage{Base: h.base(c), Report: rep, W: mapW, H: mapH, ShowStatements: c.QueryParam("statements") == "1"}
	if res == nil {
		return h.s.Render(c, http.StatusOK, "opinionmap/map", d)
	}
	r := res.Result
	var pts []opinionmath.Point
	for _, b := range r.BaseClusters {
		pts = append(pts, b.Center)
	}
	var me *Participant
	if d.CanTakePart {
		if me, err = h.participant(c, false); err != nil {
			return err
		}
	}
	var mine opinionmath.Point
	onMap := false
	if me != nil {
		mine, onMap = res.Point(me.ID)
		if onMap {
			pts = append(pts, mine)
		}
	}
	var bodies map[int64]string
	if d.ShowStatements {
		if bodies, err = h.svc.bodies(c.Request().Context(), d.Component.ID); err != nil {
			return err
		}
		for j, id := range r.PCA.StatementIDs {
			if _, ok := bodies[id]; ok && len(r.PCA.Center) > j {
				pts = append(pts, statementPoint(r.PCA, j))
			}
		}
	}
	pr := newProjector(pts)
	for _, b := range r.BaseClusters {
		x, y := pr.at(b.Center)
		d.Clusters = append(d.Clusters, Dot{X: x, Y: y, R: math.Round((3+2*math.Sqrt(float64(b.Size)))*10) / 10, Group: b.Group})
	}
	for _, g := range r.Groups {
		x, y := pr.at(g.Center)
		d.Groups = append(d.Groups, Dot{X: x, Y: y, Group: g.ID, Label: groupLabel(g.ID)})
	}
	if onMap {
		x, y := pr.at(mine)
		d.Me = &Dot{X: x, Y: y}
		if g := res.GroupOf(me.ID); g >= 0 {
			d.MyGroup = groupLabel(g)
		}
	}
	if d.ShowStatements {
		for j, id := range r.PCA.StatementIDs {
			if body, ok := bodies[id]; ok && len(r.PCA.Center) > j {
				x, y := pr.at(statementPoint(r.PCA, j))
				d.Statements = append(d.Statements, Dot{X: x, Y: y, Label: itoa(id), Title: body})
			}
		}
	}
	return h.s.Render(c, http.StatusOK, "opinionmap/map", d)
}
