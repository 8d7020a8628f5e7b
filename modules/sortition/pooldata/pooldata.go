// SPDX-License-Identifier: AGPL-3.0-or-later

// Package pooldata reads sortition pools from CSV: the quota table and the
// respondents. Two layouts are understood, detected from the header:
//
//   - the replication package of Flanigan et al.: categories.csv with
//     `category,feature,min,max`, respondents.csv with one column per
//     category and no id column (the 1-based row number is the id);
//   - the Sortition Foundation's: features.csv with
//     `feature,value,min,max[,min_flex,max_flex]`, candidates.csv with an id
//     column (`nationbuilder_id` or `id` unless named) and other columns,
//     which are ignored unless named as household columns.
//
// In either quota layout a row may give `share,tolerance` (a target share
// of the panel and a tolerance in seats) in place of `min,max`; such rows
// are converted once the panel size is known (ReadCategoriesForSize).
//
// Errors name the file, the line and the column.
package pooldata

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/polder-civic/polder/modules/sortition/leximin"
)

// ErrFormat marks every malformed-input error.
var ErrFormat = errors.New("malformed pool data")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// ShareSlack is how far the target shares of one category may sum above 1:
// one percentage point, for shares rounded by hand (three times 33.4%).
var ShareSlack = big.NewRat(1, 100)

// shareSyntax is a plain decimal, optionally a percentage; it is checked
// before big.Rat parses it so that no exponent or fraction form gets in.
var shareSyntax = regexp.MustCompile(`^[0-9]{1,6}(\.[0-9]{1,12})?%?$`)

// quotaRow is one row of a quota table, before the panel size is known.
type quotaRow struct {
	line     int
	cat, val string
	min, max int
	isShare  bool
	share    *big.Rat // exact fraction of the panel, in [0, 1]
	tol      int      // seats either side of the share
}

// ReadCategories reads a quota table given as min/max only; a table with
// share rows needs the panel size: use ReadCategoriesForSize.
func ReadCategories(r io.Reader, name string) ([]leximin.Category, error) {
	return ReadCategoriesForSize(r, name, 0)
}

// ReadCategoriesForSize reads a quota table; name is used in error
// messages. Each row gives either `min,max` (seats) or `share,tolerance`:
// share is the target fraction of the panel (0.25 or 25%), tolerance a
// number of seats (an integer ≥ 0; empty means 0). A share row becomes,
// for a panel of size seats,
//
//	min = max(0, floor(share·size) − tolerance)
//	max = min(size, ceil(share·size) + tolerance)
//
// size ≤ 0 means the size is unknown, and then share rows are an error.
func ReadCategoriesForSize(r io.Reader, name string, size int) ([]leximin.Category, error) {
	rows, err := readQuotaRows(r, name)
	if err != nil {
		return nil, err
	}
	var cats []leximin.Category
	index := map[string]int{}
	for _, q := range rows {
		lo, hi := q.min, q.max
		if q.isShare {
			if size <= 0 {
				return nil, formatErr("%s line %d: a share row needs the panel size", name, q.line)
			}
			lo, hi = shareBounds(q.share, q.tol, size)
		}
		ci, ok := index[q.cat]
		if !ok {
			ci = len(cats)
			index[q.cat] = ci
			cats = append(cats, leximin.Category{Name: q.cat})
		}
		cats[ci].Values = append(cats[ci].Values, leximin.Quota{Value: q.val, Min: lo, Max: hi})
	}
	return cats, nil
}

// shareBounds converts a target share with a tolerance in seats into seat
// bounds for a panel of size seats (0 ≤ share ≤ 1, tol ≥ 0, size > 0). The
// arithmetic is exact: 0.07 of 100 is 7 seats, not 7.000000000000001.
func shareBounds(share *big.Rat, tol, size int) (lo, hi int) {
	x := new(big.Rat).Mul(share, new(big.Rat).SetInt64(int64(size)))
	fl := new(big.Int).Quo(x.Num(), x.Denom()) // non-negative, so Quo floors
	floor := int(fl.Int64())
	ceil := floor
	if !x.IsInt() {
		ceil++
	}
	lo = max(0, floor-tol)
	hi = min(size, ceil+min(tol, size))
	return lo, hi
}

// parseShare reads 0.25 or 25% as the exact fraction 1/4.
func parseShare(s string) (*big.Rat, bool) {
	if !shareSyntax.MatchString(s) {
		return nil, false
	}
	pct := strings.HasSuffix(s, "%")
	v, ok := new(big.Rat).SetString(strings.TrimSuffix(s, "%"))
	if !ok {
		return nil, false
	}
	if pct {
		v.Quo(v, big.NewRat(100, 1))
	}
	return v, true
}

func readQuotaRows(r io.Reader, name string) ([]quotaRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	catCol, valCol := -1, -1
	if c, ok := col["category"]; ok {
		catCol = c
		if v, ok := col["feature"]; ok {
			valCol = v
		} else if v, ok := col["value"]; ok {
			valCol = v
		}
	} else if c, ok := col["feature"]; ok {
		catCol = c
		if v, ok := col["value"]; ok {
			valCol = v
		}
	}
	minCol, okMin := col["min"]
	maxCol, okMax := col["max"]
	shareCol, okShare := col["share"]
	tolCol, okTol := col["tolerance"]
	var missing []string
	if catCol < 0 {
		missing = append(missing, "category (or feature)")
	}
	if valCol < 0 {
		missing = append(missing, "feature (or value)")
	}
	if !okShare || okMin || okMax {
		if !okMin {
			missing = append(missing, "min")
		}
		if !okMax {
			missing = append(missing, "max")
		}
	}
	if okTol && !okShare {
		missing = append(missing, "share (beside tolerance)")
	}
	if len(missing) > 0 {
		return nil, formatErr("%s line 1: missing column(s) %s (header: %s)", name, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	var rows []quotaRow
	seen := map[[2]string]bool{}
	shareSum := map[string]*big.Rat{}
	limit := new(big.Rat).Add(big.NewRat(1, 1), ShareSlack)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		get := func(c int, what string) (string, error) {
			if c >= len(rec) {
				return "", formatErr("%s line %d: column %s is missing (row has %d fields)", name, line, what, len(rec))
			}
			return strings.TrimSpace(rec[c]), nil
		}
		// opt reads a column the header may lack, or the row may leave out.
		opt := func(c int, ok bool) string {
			if !ok || c >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[c])
		}
		cat, err := get(catCol, header[catCol])
		if err != nil {
			return nil, err
		}
		val, err := get(valCol, header[valCol])
		if err != nil {
			return nil, err
		}
		if cat == "" || val == "" {
			return nil, formatErr("%s line %d: empty category or value", name, line)
		}
		q := quotaRow{line: line, cat: cat, val: val}
		minS, maxS := opt(minCol, okMin), opt(maxCol, okMax)
		shareS, tolS := opt(shareCol, okShare), opt(tolCol, okTol)
		hasMinMax := minS != "" || maxS != ""
		hasShare := shareS != "" || tolS != ""
		switch {
		case hasMinMax && hasShare:
			return nil, formatErr("%s line %d: %s=%s gives both min/max and share/tolerance; give one kind per row", name, line, cat, val)
		case hasShare:
			if shareS == "" {
				return nil, formatErr("%s line %d: tolerance without a share", name, line)
			}
			share, ok := parseShare(shareS)
			if !ok {
				return nil, formatErr("%s line %d, column %s: %q is not a share (0.25 or 25%%)", name, line, header[shareCol], shareS)
			}
			if share.Cmp(big.NewRat(1, 1)) > 0 {
				return nil, formatErr("%s line %d, column %s: share %s is above 1 (100%%)", name, line, header[shareCol], shareS)
			}
			if tolS != "" {
				t, err := strconv.Atoi(tolS)
				if err != nil || t < 0 {
					return nil, formatErr("%s line %d, column %s: tolerance %q is not a whole number of seats ≥ 0", name, line, header[tolCol], tolS)
				}
				q.tol = t
			}
			q.isShare, q.share = true, share
			sum, ok := shareSum[cat]
			if !ok {
				sum = new(big.Rat)
				shareSum[cat] = sum
			}
			sum.Add(sum, share)
			if sum.Cmp(limit) > 0 {
				return nil, formatErr("%s line %d: the shares of %s sum to %s%% by this row, over 100%%", name, line, cat, new(big.Rat).Mul(sum, big.NewRat(100, 1)).FloatString(2))
			}
		default:
			if !okMin || !okMax {
				return nil, formatErr("%s line %d: %s=%s has no share", name, line, cat, val)
			}
			var bounds [2]int
			for i, c := range []int{minCol, maxCol} {
				s, err := get(c, header[c])
				if err != nil {
					return nil, err
				}
				n, err := strconv.Atoi(s)
				if err != nil {
					return nil, formatErr("%s line %d, column %s: %q is not an integer", name, line, header[c], s)
				}
				bounds[i] = n
			}
			if bounds[0] < 0 || bounds[1] < bounds[0] {
				return nil, formatErr("%s line %d: min %d and max %d are not 0 ≤ min ≤ max", name, line, bounds[0], bounds[1])
			}
			q.min, q.max = bounds[0], bounds[1]
		}
		key := [2]string{cat, val}
		if seen[key] {
			return nil, formatErr("%s line %d: value %s=%s listed twice", name, line, cat, val)
		}
		seen[key] = true
		rows = append(rows, q)
	}
	if len(rows) == 0 {
		return nil, formatErr("%s: no quota rows", name)
	}
	return rows, nil
}

// RespondentOptions say which columns identify a respondent.
type RespondentOptions struct {
	// IDColumn names the id column. Empty: `nationbuilder_id` or `id` if
	// present, else the 1-based row number.
	IDColumn string
	// HouseholdColumns, when set, are joined to form the household key
	// (e.g. address line and postcode); respondents with the same key
	// share a household.
	HouseholdColumns []string
}

// ReadRespondents reads the pool for the given categories.
func ReadRespondents(r io.Reader, name string, cats []leximin.Category, opt RespondentOptions) (*leximin.Pool, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))] = i
	}
	find := func(want string) (int, bool) {
		if c, ok := col[want]; ok {
			return c, true
		}
		for h, c := range col {
			if strings.EqualFold(h, want) {
				return c, true
			}
		}
		return -1, false
	}
	catCols := make([]int, len(cats))
	var missing []string
	for i, c := range cats {
		ci, ok := find(c.Name)
		if !ok {
			missing = append(missing, strconv.Quote(c.Name))
		}
		catCols[i] = ci
	}
	idCol := -1
	if opt.IDColumn != "" {
		c, ok := find(opt.IDColumn)
		if !ok {
			missing = append(missing, strconv.Quote(opt.IDColumn)+" (id)")
		}
		idCol = c
	} else if c, ok := find("nationbuilder_id"); ok {
		idCol = c
	} else if c, ok := find("id"); ok {
		idCol = c
	}
	var homeCols []int
	for _, h := range opt.HouseholdColumns {
		c, ok := find(h)
		if !ok {
			missing = append(missing, strconv.Quote(h)+" (household)")
		}
		homeCols = append(homeCols, c)
	}
	if len(missing) > 0 {
		return nil, formatErr("%s line 1: missing column(s) %s (header: %s)", name, strings.Join(missing, ", "), strings.Join(header, ","))
	}
	pool := &leximin.Pool{Categories: cats}
	firstLine := map[string]int{}
	row := 0
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		row++
		field := func(c int) (string, error) {
			if c >= len(rec) {
				return "", formatErr("%s line %d, column %q: missing (row has %d fields, header %d)", name, line, header[c], len(rec), len(header))
			}
			return strings.TrimSpace(rec[c]), nil
		}
		v := leximin.Volunteer{ID: strconv.Itoa(row), Features: make([]int, len(cats))}
		if idCol >= 0 {
			id, err := field(idCol)
			if err != nil {
				return nil, err
			}
			if id == "" {
				return nil, formatErr("%s line %d, column %q: empty id", name, line, header[idCol])
			}
			if l, dup := firstLine[id]; dup {
				return nil, formatErr("%s line %d, column %q: duplicate id %q (first on line %d)", name, line, header[idCol], id, l)
			}
			firstLine[id] = line
			v.ID = id
		}
		for i, c := range cats {
			s, err := field(catCols[i])
			if err != nil {
				return nil, err
			}
			idx := slices.IndexFunc(c.Values, func(q leximin.Quota) bool { return q.Value == s })
			if idx < 0 {
				known := make([]string, len(c.Values))
				for j, q := range c.Values {
					known[j] = q.Value
				}
				return nil, formatErr("%s line %d, column %q: unknown value %q (known: %s)", name, line, header[catCols[i]], s, strings.Join(known, ", "))
			}
			v.Features[i] = idx
		}
		if len(homeCols) > 0 {
			parts := make([]string, len(homeCols))
			for j, c := range homeCols {
				s, err := field(c)
				if err != nil {
					return nil, err
				}
				parts[j] = strings.ToLower(strings.Join(strings.Fields(s), " "))
			}
			key := strings.Join(parts, "|")
			if strings.Trim(key, "|") != "" {
				v.Household = key
			}
		}
		pool.Volunteers = append(pool.Volunteers, v)
	}
	if len(pool.Volunteers) == 0 {
		return nil, formatErr("%s: no respondents", name)
	}
	return pool, nil
}

// Load reads a quota table of min/max rows and a respondents file from disk.
func Load(categoriesPath, respondentsPath string, opt RespondentOptions) (*leximin.Pool, error) {
	return LoadForSize(categoriesPath, respondentsPath, 0, opt)
}

// LoadForSize is Load for a panel of size seats, which share rows need
// (see ReadCategoriesForSize).
func LoadForSize(categoriesPath, respondentsPath string, size int, opt RespondentOptions) (*leximin.Pool, error) {
	cf, err := os.Open(categoriesPath)
	if err != nil {
		return nil, fmt.Errorf("opening categories: %w", err)
	}
	defer cf.Close()
	cats, err := ReadCategoriesForSize(cf, filepath.Base(categoriesPath), size)
	if err != nil {
		return nil, err
	}
	rf, err := os.Open(respondentsPath)
	if err != nil {
		return nil, fmt.Errorf("opening respondents: %w", err)
	}
	defer rf.Close()
	return ReadRespondents(rf, filepath.Base(respondentsPath), cats, opt)
}
